import AlmanacCore
import ArgumentParser
import Foundation

struct NewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new",
        abstract: "Create a profile from a template.",
        discussion: """
            Renders the template with the values given, validates the result as `almanac check` does \
            (every problem is printed, naming the template and the parameter), writes each secret to \
            STATE/secrets/PROFILE/PARAMETER (0600) and the profile to PROFILES/PROFILE.toml (0600, \
            atomically). A running daemon starts it as any file dropped into the directory. Nothing is \
            left behind when it fails. Exits 0 when created, 78 when a value or the result is invalid, \
            1 when the profile exists or cannot be written.
            """
    )

    @Argument(help: "The new profile's name (1 to 64 letters and digits).") var name: String
    @Option(help: "The template (see `almanac template list`).") var template: String
    @Option(name: .customLong("set"), help: ArgumentHelp("A parameter's value.", valueName: "key=value"))
    var values: [String] = []
    @Option(
        name: .customLong("secret"),
        help: ArgumentHelp("A secret parameter, read from a file or from stdin (-).", valueName: "key=@FILE|-"))
    var secrets: [String] = []
    @Option(help: "Run every interval (15m, 1h, 1d) instead of the template's schedule.") var every: String?
    @Option(help: "Run at these times of day (HH:MM, comma-separated) instead.") var at: String?
    @Flag(help: "Run only on demand.") var manual = false
    @Option(help: "Random delay added to each scheduled run (30s, 5m).") var jitter: String?
    @Flag(help: "Write the profile with enabled = false.") var disabled = false
    @OptionGroup var options: ProvisionOptions

    func run() throws {
        var request = ProvisionRequest(name: name, template: template)
        for pair in values {
            guard let eq = pair.firstIndex(of: "="), eq != pair.startIndex else {
                throw ValidationError("--set takes key=value, got \"\(pair)\"")
            }
            request.values[String(pair[..<eq])] = .string(String(pair[pair.index(after: eq)...]))
        }
        var stdinUsed = false
        for pair in secrets {
            guard let eq = pair.firstIndex(of: "="), eq != pair.startIndex else {
                throw ValidationError("--secret takes key=@FILE or key=-")
            }
            let key = String(pair[..<eq])
            let source = pair[pair.index(after: eq)...]
            if source == "-" {
                guard !stdinUsed else { throw ValidationError("only one --secret can be read from stdin") }
                stdinUsed = true
                request.secrets[key] = Array(FileHandle.standardInput.readDataToEndOfFile())
            } else if source.hasPrefix("@") {
                let path = String(source.dropFirst())
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw ValidationError("--secret \(key): cannot read \(path)")
                }
                request.secrets[key] = Array(data)
            } else {
                throw ValidationError("--secret \(key) takes @FILE or - (a secret is never given on the command line)")
            }
        }
        let triggers = [every != nil, at != nil, manual].filter { $0 }.count
        guard triggers <= 1 else { throw ValidationError("give one of --every, --at and --manual") }
        if let every {
            request.schedule = ScheduleSpec(trigger: .every(every), jitter: jitter)
        } else if let at {
            request.schedule = ScheduleSpec(
                trigger: .at(at.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }), jitter: jitter)
        } else if manual {
            request.schedule = ScheduleSpec(trigger: .manual, jitter: jitter)
        } else if jitter != nil {
            throw ValidationError("--jitter goes with --every or --at")
        }
        if disabled { request.enabled = false }
        do {
            let path = try options.provisioner.create(request)
            print("created \(path) from template \(template)")
        } catch {
            let out = FileHandle.standardError
            out.write(Data("almanac new: \(error.message)\n".utf8))
            for issue in error.problems { out.write(Data("\(issue.description) [\(issue.code)]\n".utf8)) }
            switch error.kind {
            case .badRequest: throw AlmanacExit.usage
            case .invalid, .notFound: throw AlmanacExit.config
            default: throw AlmanacExit.failure
            }
        }
    }
}

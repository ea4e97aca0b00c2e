import AlmanacCore
import AlmanacWorker
import ArgumentParser
import Foundation

/// Where templates, profiles and state live for `almanac template` and `almanac new`.
struct ProvisionOptions: ParsableArguments {
    @Option(help: "Profiles directory (default: the daemon's).") var profiles: String?
    @Option(help: "Templates directory (default: templates.d beside the profiles directory).") var templates: String?
    @Option(help: "State directory, where secrets are written (default: the daemon's).") var state: String?

    var provisioner: Provisioner {
        let defaults = AlmanacPaths.defaults()
        let profilesDir = profiles ?? defaults.profiles
        return Provisioner(
            profilesDirectory: profilesDir,
            templatesDirectory: templates ?? AlmanacPaths.templates(besideProfiles: profilesDir),
            stateDirectory: state ?? defaults.state, loader: ConnectorRegistry.loader)
    }
}

struct TemplateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "template",
        abstract: "List the profile templates, or show one's parameters.",
        subcommands: [List.self, Show.self]
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the templates of the templates directory, one line each.")
        @OptionGroup var options: ProvisionOptions

        func run() throws {
            let all = options.provisioner.templates()
            if all.isEmpty { print("no templates in \(options.provisioner.templatesDirectory)") }
            var bad = false
            for entry in all {
                switch entry {
                case .success(let t): print("\(t.name)\t\(t.description)")
                case .failure(let e):
                    bad = true
                    for issue in e.issues { print(issue.description) }
                }
            }
            if bad { throw AlmanacExit.config }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a template's parameters: name, type, required or default, secret, pattern.")
        @Argument(help: "The template's name.") var name: String
        @OptionGroup var options: ProvisionOptions

        func run() throws {
            let t: ProfileTemplate
            do {
                t = try options.provisioner.template(name)
            } catch {
                FileHandle.standardError.write(Data("almanac template show: \(error)\n".utf8))
                throw error.kind == .badRequest ? AlmanacExit.usage : AlmanacExit.config
            }
            print("\(t.name): \(t.description)")
            print("file: \(t.path)")
            for p in t.parameters {
                var line = "  \(p.name) (\(p.kind.rawValue)"
                if p.secret { line += ", secret" }
                if let d = p.defaultValue {
                    line += ", default \(TOMLWriter.inline(d))"
                } else {
                    line += p.required ? ", required" : ", optional"
                }
                if let pattern = p.pattern { line += ", pattern \(pattern)" }
                print(line + ")" + (p.description.isEmpty ? "" : ": \(p.description)"))
            }
        }
    }
}

import AlmanacCore
import AlmanacNotify
import AlmanacWorker
import ArgumentParser
import Foundation

/// `almanac notify-test NAME`: one `test` notification on every channel of the profile's `[notify]`.
struct NotifyTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notify-test",
        abstract: "Send a test notification on every channel of a profile and say how each went.",
        discussion: """
            Loads PROFILES/NAME.toml and sends one notification with event "test" on each channel \
            of its [notify] table (command, webhook, email), whatever its `on` list says, with the \
            settings and secrets the daemon would use. Prints one line per channel: `CHANNEL: ok` \
            or `CHANNEL: error: MESSAGE (CODE)`. Exits 0 when every channel delivered, 1 when any \
            failed or the profile has no [notify] table, 64 on bad usage, 78 when the profile is \
            invalid. Needs no daemon and takes no lock.
            """
    )

    @Argument(help: "The profile's name (PROFILES/NAME.toml).")
    var name: String

    @Option(help: "The profiles directory.")
    var profiles: String?

    func run() throws {
        guard ProfileFile.isValidName(name) else {
            printError("almanac notify-test: not a profile name: \"\(name)\" (1 to 64 letters and digits)")
            throw AlmanacExit.usage
        }
        let path = ((profiles ?? AlmanacPaths.defaults().profiles) as NSString).appendingPathComponent("\(name).toml")
        let profile: Profile
        switch ConnectorRegistry.loader.load(path: path).result {
        case .success(let p): profile = p
        case .failure(let errors):
            for issue in errors.issues { printError(issue.description) }
            throw AlmanacExit.config
        }
        guard let config = profile.notify else {
            printError(
                "almanac notify-test: profile \(name) has no [notify] table (\(ErrorCode.notifyNotConfigured.rawValue)); "
                    + "add one with command, webhook or email")
            throw AlmanacExit.failure
        }
        let notification = Notification(
            event: .test, profile: name, error: nil, retry: "almanac notify-test \(name)")
        let outcomes = Notifier(profile: name, config: config, logger: nil).send(notification)
        for o in outcomes {
            if let e = o.error {
                print("\(o.channel): error: \(e.message) (\(e.code.rawValue))")
            } else {
                print("\(o.channel): ok")
            }
        }
        if outcomes.contains(where: { $0.error != nil }) { throw AlmanacExit.failure }
    }
}

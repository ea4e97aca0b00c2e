import ArgumentParser

struct DisableCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "disable",
        abstract:
            "Stop a profile's worker and keep it stopped, across daemon restarts (a marker in the state directory).")
    @Argument(help: "The profile.") var name: String
    @Flag(help: "Print the API's answer as JSON.") var json = false
    @OptionGroup var client: ClientOptions
    func run() throws { try lifecycleRequest("disable", name, client, json: json) }
}

import ArgumentParser

struct EnableCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enable", abstract: "Enable a profile (removes its disable marker) and start its worker.")
    @Argument(help: "The profile.") var name: String
    @Flag(help: "Print the API's answer as JSON.") var json = false
    @OptionGroup var client: ClientOptions
    func run() throws { try lifecycleRequest("enable", name, client, json: json) }
}

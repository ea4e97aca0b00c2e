import AlmanacSupervisor
import AlmanacWire
import ArgumentParser
import Foundation

/// `restart`, `enable`, `disable`: one POST each; the result's message is printed, or with
/// `json` the API's body (`{"v":1,"ok":…,"message":…,"code":…}`), on success and on error alike.
func lifecycleRequest(_ action: String, _ name: String, _ client: ClientOptions, json: Bool) throws {
    let c = try client.client()
    let response = try callDaemon { try c.request("POST", "/v1/profiles/\(urlComponent(name))/\(action)") }
    if json { printBody(response) }
    try failOnError(response)
    if json { return }
    let result = try? Wire.decoder().decode(ActionResult.self, from: Data(response.body))
    print(result?.message ?? "\(name): done")
}

struct RestartCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restart", abstract: "Restart a profile's worker (graceful stop, then start).")
    @Argument(help: "The profile.") var name: String
    @Flag(help: "Print the API's answer as JSON.") var json = false
    @OptionGroup var client: ClientOptions
    func run() throws { try lifecycleRequest("restart", name, client, json: json) }
}

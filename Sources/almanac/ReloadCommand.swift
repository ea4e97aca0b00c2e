import AlmanacSupervisor
import AlmanacWire
import ArgumentParser
import Foundation

struct ReloadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reload", abstract: "Make the daemon re-read the profiles directory now (like SIGHUP).")
    @OptionGroup var client: ClientOptions

    func run() throws {
        let c = try client.client()
        let response = try callDaemon { try c.request("POST", "/v1/reload") }
        try failOnError(response)
        print((try? Wire.decoder().decode(ActionResult.self, from: Data(response.body)))?.message ?? "reloaded")
    }
}

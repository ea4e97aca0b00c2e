import AlmanacSupervisor
import AlmanacWire
import ArgumentParser
import Foundation

struct TestConnectionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test-connection",
        abstract: "Have a profile's worker test its connections; exits 1 when one fails.")
    @Argument(help: "The profile.") var name: String
    @Option(help: "Test only this connection.") var connection: String?
    @Flag(help: "Print JSON.") var json = false
    @OptionGroup var client: ClientOptions

    func run() throws {
        let c = try client.client(timeout: 150)
        let query = connection.map { "?connection=\(urlComponent($0))" } ?? ""
        let response = try callDaemon {
            try c.request("POST", "/v1/profiles/\(urlComponent(name))/test-connection\(query)")
        }
        try failOnError(response)
        let result = try Wire.decoder().decode(ActionResult.self, from: Data(response.body))
        if json {
            print(response.text.trimmingCharacters(in: .whitespacesAndNewlines))
        } else {
            for r in result.connections ?? [] { print("\(r.name): \(r.ok ? "ok" : "FAILED") — \(r.detail)") }
            if result.connections?.isEmpty ?? true { print(result.message) }
        }
        if !result.ok { throw AlmanacExit.failure }
    }
}

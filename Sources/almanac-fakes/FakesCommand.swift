import ArgumentParser
import FakeCalendars

@main
struct FakesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "almanac-fakes",
        abstract: "Google Calendar- and Cronofy-compatible fake servers on loopback (tests and demo)."
    )

    func run() throws {
        throw ValidationError("the fake servers are not built yet")
    }
}

import AlmanacCore
import Foundation

/// What the conformance suite needs to know about one connector instance: the connector over an
/// **empty** backing store, and how to seed and inspect that store without the connector.
///
/// A connector's test target builds one per check (see `ConnectorConformance`).
public struct ConformanceFixture {
    /// The connector under test, over an empty store (table, file, calendar).
    public var connector: any Connector
    /// The window the checks read; seeded items start inside it (one starts before it).
    public var window: TimeWindow
    /// Puts events into the backing store directly (SQL `INSERT`, a file line, the fake server's
    /// admin API) and returns their keys in order.
    public var seed: ([Event]) throws -> [String]
    /// The live items of the backing store now, by key, read without the connector.
    public var stored: () throws -> [String: Event]
    /// A create whose id was used before is refused (conflict) or lands on the same item, never
    /// a second item (true for Google, Cronofy, the memory connector; false for a plain `INSERT`).
    public var deterministicCreates: Bool
    /// Items carry versions and a stale `ifVersion` is a conflict.
    public var versions: Bool
    /// Puts one item the connector cannot read (a row without a start, a bad date) into the store
    /// and returns the key or locator its `ItemProblem` should name; nil skips that check.
    public var seedInvalid: (() throws -> String)?

    public init(
        connector: any Connector, window: TimeWindow, seed: @escaping ([Event]) throws -> [String],
        stored: @escaping () throws -> [String: Event], deterministicCreates: Bool = true,
        versions: Bool = true, seedInvalid: (() throws -> String)? = nil
    ) {
        self.connector = connector
        self.window = window
        self.seed = seed
        self.stored = stored
        self.deterministicCreates = deterministicCreates
        self.versions = versions
        self.seedInvalid = seedInvalid
    }

    /// Sample appointments starting `hours` hours into the window, with every field filled;
    /// instants are whole minutes, as every side can store them.
    public func sampleEvents(_ count: Int, tag: String = "e") -> [Event] {
        (0..<count).map { i in
            let start = window.start.addingTimeInterval(Double((i % 500) * 3_600 + 3_600))
            return Event(
                title: "Appointment \(tag)\(i)", description: "Notes for \(tag)\(i)", location: "Room \(i % 7)",
                start: .instant(start, timeZone: "America/Chicago"),
                end: .instant(start.addingTimeInterval(1_800), timeZone: "America/Chicago"),
                status: .confirmed,
                participants: [
                    Participant(
                        name: "Client \(tag)\(i)", email: "client\(i)@example.org",
                        phones: [.mobile: "+1555000\(1000 + i)"])
                ],
                custom: ["appt_type": "checkup"])
        }
    }
}

/// A failed conformance expectation: which check, and what was wrong.
public struct ConformanceFailure: Error, CustomStringConvertible {
    public var check: String
    public var message: String
    public var description: String { "\(check): \(message)" }
}

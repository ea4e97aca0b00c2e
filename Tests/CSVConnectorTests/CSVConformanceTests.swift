import AlmanacCore
import AlmanacTestKit
import Foundation
import Testing

@testable import CSVConnector

/// The connector conformance suite (AlmanacTestKit) on the csv connector, as a job's target.
/// The store is one CSV file, seeded and inspected by a small CSV codec of the test's own.
@Suite struct CSVConformanceTests {
    static let header = [
        "external_id", "title", "content", "location", "start_time", "end_time", "status",
        "participant_0_name", "participant_0_email", "participant_0_phone_mobile", "appt_type",
    ]

    final class Store: @unchecked Sendable {  // used from one test's thread only
        let scratch = Scratch(label: "csv")
        var counter = 0
        var url: URL { scratch.url.appendingPathComponent("store.csv") }

        init() { scratch.file("store.csv", TestCSV.line(CSVConformanceTests.header)) }

        func seed(_ events: [Event]) throws -> [String] {
            let f = ISO8601DateFormatter()
            let h = try FileHandle(forWritingTo: url)
            defer { try? h.close() }
            try h.seekToEnd()
            return try events.map { e in
                counter += 1
                let key = "seed-\(counter)"
                guard case .instant(let s, _) = e.start, case .instant(let end, _)? = e.end else {
                    throw CocoaError(.coderInvalidValue)
                }
                let p = e.participants.first
                try h.write(
                    contentsOf: Data(
                        TestCSV.line([
                            key, e.title ?? "", e.description ?? "", e.location ?? "", f.string(from: s),
                            f.string(from: end),
                            e.status.rawValue, p?.name ?? "", p?.email ?? "", p?.phones[.mobile] ?? "",
                            e.custom["appt_type"] ?? "",
                        ]).utf8))
                return key
            }
        }

        /// Reads the file with the tests' own codec (`TestCSV`), independently of the connector.
        func stored() throws -> [String: Event] {
            let f = ISO8601DateFormatter()
            var out: [String: Event] = [:]
            for v in try TestCSV.records(url) {
                func opt(_ k: String) -> String? { v[k].flatMap { $0.isEmpty ? nil : $0 } }
                var e = Event(
                    title: opt("title"), description: opt("content"), location: opt("location"),
                    start: .instant(f.date(from: v["start_time"]!)!, timeZone: nil),
                    end: opt("end_time").map { .instant(f.date(from: $0)!, timeZone: nil) },
                    status: EventStatus(rawValue: opt("status") ?? "confirmed")!)
                if opt("participant_0_name") != nil {
                    e.participants = [
                        Participant(
                            name: opt("participant_0_name"), email: opt("participant_0_email"),
                            phones: opt("participant_0_phone_mobile").map { [.mobile: $0] } ?? [:])
                    ]
                }
                if let t = opt("appt_type") { e.custom["appt_type"] = t }
                out[v["external_id"]!] = e
            }
            return out
        }
    }

    @Test(arguments: ConnectorConformance.checks)
    func conformance(_ check: ConformanceCheck) throws {
        let store = Store()
        defer { store.scratch.cleanup() }
        let connector = try CSVModule.make(
            fileConnectorContext(["path": .string("store.csv")], side: .to, dir: store.scratch.url))
        try check.run(
            ConformanceFixture(
                connector: connector, window: ConnectorConformance.defaultWindow,
                seed: { try store.seed($0) }, stored: { try store.stored() },
                deterministicCreates: true, versions: true))
    }

    @Test(arguments: ConnectorConformance.checks)
    func conformanceSmallPages(_ check: ConformanceCheck) throws {
        let store = Store()
        defer { store.scratch.cleanup() }
        let ctx = fileConnectorContext(["path": .string("store.csv")], side: .to, dir: store.scratch.url)
        let connector = CSVConnector(
            settings: try CSVSettings(ctx), side: .to, capabilities: [.read, .write, .delete],
            logger: ctx.logger, pageSize: 7)
        try check.run(
            ConformanceFixture(
                connector: connector, window: ConnectorConformance.defaultWindow,
                seed: { try store.seed($0) }, stored: { try store.stored() },
                deterministicCreates: true, versions: true))
    }
}

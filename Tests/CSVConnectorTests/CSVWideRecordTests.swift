import AlmanacCore
import AlmanacTestKit
import Foundation
import Testing

@testable import CSVConnector

/// Records wider than the scanner's first field storage (64 fields) grow it and keep every
/// field: 150 columns, the unmapped ones custom fields under their header names, quoted and
/// empty values among them, a short record after the wide ones.
@Suite(.timeLimit(.minutes(10))) struct CSVWideRecordTests {
    @Test func recordsOfManyFieldsKeepEveryField() throws {
        let s = Scratch(label: "csv")
        defer { s.cleanup() }
        let customs = (0..<148).map { "c\($0)" }
        var text = (["external_id", "start_time"] + customs).joined(separator: ",") + "\n"
        for row in 0..<3 {
            let values = (0..<148).map { k in
                k % 37 == 5 ? "" : k % 10 == 3 ? "\"v,\(row)-\(k)\"" : "v\(row)-\(k)"
            }
            text += (["W\(row)", "2026-03-02T09:00"] + values).joined(separator: ",") + "\n"
        }
        text += "short,2026-03-02T10:00\n"
        s.file("wide.csv", text)
        let ctx = fileConnectorContext(["path": .string("wide.csv")], dir: s.url)
        let c = CSVConnector(
            settings: try CSVSettings(ctx), side: .from, capabilities: [.read], logger: ctx.logger, pageSize: 5000)
        let (page, _) = try readAll(c)
        #expect(page.items.map(\.key) == ["W0", "W1", "W2"])
        #expect(page.problems.map(\.key) == ["wide.csv line 5"])
        for (row, item) in page.items.enumerated() {
            var expected: [String: String] = [:]
            for k in 0..<148 where k % 37 != 5 { expected["c\(k)"] = k % 10 == 3 ? "v,\(row)-\(k)" : "v\(row)-\(k)" }
            #expect(item.event.custom == expected)
        }
    }
}

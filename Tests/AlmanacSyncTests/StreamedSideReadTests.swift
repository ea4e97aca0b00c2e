import AlmanacCore
import Foundation
import Testing

@testable import AlmanacSync

/// The engine takes a streamed page's items (`Connector.read(_:into:)`) as the connector hands
/// them over: an item is held as unchanged before the connector produces the next rowset, and a
/// connector's restart withdraws what it had handed in that call only.
@Suite(.timeLimit(.minutes(10))) struct StreamedSideReadTests {
    /// Lists `count` items per chunk through `read(_:into:)`, made `rowset` at a time (a block
    /// cursor's rowset); records how many it has made. Its call number `restartOnCall` hands
    /// `restartAfter` items, restarts, and hands the page again without its first `dropped` items
    /// (rows deleted in between).
    final class RowsetConnector: Connector {
        let capabilities: ConnectorCapabilities = [.read]
        let count: Int
        let rowset: Int
        var restartOnCall = 0
        var restartAfter = 0
        var dropped = 0
        /// Items made so far, over every call.
        private(set) var made = 0
        private(set) var calls = 0

        init(count: Int, rowset: Int) {
            self.count = count
            self.rowset = rowset
        }

        func item(_ i: Int, chunk: TimeWindow) -> SourceItem {
            let start = chunk.start.addingTimeInterval(TimeInterval(i * 60))
            return SourceItem(
                key: "\(Int(chunk.start.timeIntervalSince1970))-\(i)", version: "v\(i)",
                event: Event(title: "Visit \(i)", start: .instant(start, timeZone: nil)))
        }

        func read<Sink: ItemSink>(_ request: ReadRequest, into sink: inout Sink) throws -> ReadPage {
            calls += 1
            var first = 0
            if calls == restartOnCall {
                hand(0..<restartAfter, of: request.window, to: &sink)
                sink.restart()
                first = dropped
            }
            hand(first..<count, of: request.window, to: &sink)
            return ReadPage(items: [], coverage: .complete(request.window))
        }

        private func hand<Sink: ItemSink>(_ range: Range<Int>, of chunk: TimeWindow, to sink: inout Sink) {
            for start in stride(from: range.lowerBound, to: range.upperBound, by: rowset) {
                let rows = (start..<min(range.upperBound, start + rowset)).map { item($0, chunk: chunk) }
                made += rows.count
                for row in rows { sink.take(row) }
            }
        }

        func read(_ request: ReadRequest) throws -> ReadPage {
            var collector = ItemCollector()
            var page = try read(request, into: &collector)
            page.items = collector.items
            return page
        }

        func write(_ changes: [Change]) throws -> [WriteOutcome] { [] }
        func testConnection() -> ConnectionReport { ConnectionReport(steps: []) }
    }

    static let window = TimeWindow(
        start: Date(timeIntervalSince1970: 1_900_000_000), end: Date(timeIntervalSince1970: 1_900_000_000 + 14 * 86_400)
    )

    @Test func itemsAreTakenOneRowsetAtATime() throws {
        let connector = RowsetConnector(count: 1_000, rowset: 50)
        var reader = SideReader(connector: connector, window: Self.window, chunkDays: 7)
        var ahead: [Int] = []
        var taken = 0
        reader.unchanged = { item, _ in
            taken += 1
            ahead.append(connector.made - taken)
            return ItemTable.Unchanged(key: item.key, version: nil, versionChanged: false)
        }
        let read = try reader.read(cursor: nil, since: nil, full: true)
        #expect(taken == 2_000)
        // Never more than the rest of the current rowset made and not yet taken; a page held
        // whole would have made all 1,000 before the first was taken.
        #expect(ahead.max() == 49)
        #expect(read.items.count == 2_000 && read.items.unchangedCount == 2_000)
        #expect(Array(read.items).isEmpty)
        #expect(read.covered.count == 2)
    }

    @Test func aRestartWithdrawsOnlyWhatTheCallHanded() throws {
        let connector = RowsetConnector(count: 30, rowset: 8)
        connector.restartOnCall = 2
        connector.restartAfter = 12
        connector.dropped = 3
        var reader = SideReader(connector: connector, window: Self.window, chunkDays: 7)
        var taken = 0
        reader.unchanged = { _, _ in
            taken += 1
            return nil
        }
        let read = try reader.read(cursor: nil, since: nil, full: true)
        #expect(taken == 30 + 12 + 27)
        let chunks = Self.window.chunks(days: 7)
        // The first chunk whole; the second without the three items withdrawn and not handed again.
        let want =
            (0..<30).map { connector.item($0, chunk: chunks[0]) }
            + (3..<30).map {
                connector.item($0, chunk: chunks[1])
            }
        #expect(read.items.count == 57)
        #expect(Set(read.items.keys) == Set(want.map(\.key)))
        for item in want { #expect(read.items[item.key] == item) }
    }
}

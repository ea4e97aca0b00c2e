import AlmanacCore
import AlmanacSync
import AlmanacTestKit
import Foundation
import Testing

/// Absence is evidence, not proof: an item a complete listing misses is looked up on its side
/// before it becomes a delete or a cancellation.
@Suite struct AbsenceTests {
    static let window = "window = { past_days = 7, future_days = 30, chunk_days = 7 }"

    /// `event` moved by `days` days.
    static func moved(_ event: inout Event, days: Double) {
        let shift = days * 86_400
        if case .instant(let s, let z) = event.start {
            event.start = .instant(s.addingTimeInterval(shift), timeZone: z)
        }
        if case .instant(let e, let z)? = event.end { event.end = .instant(e.addingTimeInterval(shift), timeZone: z) }
    }

    @Test func aRowMovedOutOfTheWindowKeepsItsEvent() throws {
        let h = try SyncHarness(job: Self.window)
        try h.fromStore.put(h.event("Checkup", hours: 30), key: "A1")
        try h.fromStore.put(h.event("Cleaning", hours: 50), key: "A2")
        try h.run()
        let eventKey = try #require(h.toStore.live.values.first { $0.event.title == "Checkup" }?.key)

        // A full listing (the memory connector's deltas are not bounded by the window).
        try h.fromStore.edit("A1") { Self.moved(&$0, days: 60) }
        let out = try h.run(RunOptions(full: true))
        #expect(out.report.result == .success)
        #expect(out.report.toCounts.deleted == 0)
        #expect(SyncHarness.titles(h.toStore) == ["Checkup", "Cleaning"])
        #expect(try h.state.items(job: "j").contains { $0.keyFrom == "A1" && $0.keyTo == eventKey })

        // Back inside the window: the same event is updated, nothing is created.
        try h.fromStore.edit("A1") { Self.moved(&$0, days: -59) }
        let back = try h.run(RunOptions(full: true))
        #expect(back.report.toCounts.updated == 1 && back.report.toCounts.created == 0)
        #expect(h.toStore.live[eventKey]?.event.start == h.fromStore.live["A1"]?.event.start)
    }

    @Test func aCalendarEventMovedOutOfTheWindowIsNotACancellation() throws {
        let h = try SyncHarness(job: Self.window + "\ndirection = \"two-way\"")
        try h.fromStore.put(h.event("Checkup", hours: 30), key: "A1")
        try h.run()
        let eventKey = try #require(h.toStore.live.keys.first)

        let start = h.fromStore.live["A1"]?.event.start
        try h.toStore.edit(eventKey) { Self.moved(&$0, days: 60) }
        for _ in 0..<2 {
            let out = try h.run(RunOptions(full: true))
            #expect(out.report.result == .success)
            #expect(out.report.fromCounts.cancelled == 0 && out.report.fromCounts.deleted == 0)
            #expect(h.fromStore.live["A1"]?.writeBacks == [])
            #expect(h.fromStore.live["A1"]?.event.start == start)
            #expect(try h.state.items(job: "j").contains { $0.keyFrom == "A1" && $0.keyTo == eventKey })
        }
    }

    @Test func anItemAListingMissedButTheLookupFindsInTheWindowIsSynced() throws {
        let h = try SyncHarness(job: Self.window + "\ndirection = \"two-way\"")
        try h.fromStore.put(h.event("Checkup", hours: 30), key: "A1")
        try h.run()
        let eventKey = try #require(h.toStore.live.keys.first)
        // The listing misses the moved event (as one racing the edit can); the lookup finds it.
        try h.toStore.edit(eventKey) { Self.moved(&$0, days: 10) }
        let to = CountingLookups(h.toConnector, hiding: [eventKey])
        let job = try SyncJob(
            profile: h.profile.name, config: h.job, timeZone: h.profile.timeZone, from: h.fromConnector, to: to,
            batchSize: 100)
        let out = SyncEngine(job: job, from: h.fromConnector, to: to, store: h.state)
            .run(options: RunOptions(full: true), now: h.now)
        #expect(to.calls == [[eventKey]])
        #expect(out.report.fromCounts.updated == 1 && out.report.fromCounts.cancelled == 0)
        #expect(h.fromStore.live["A1"]?.event.start == h.toStore.live[eventKey]?.event.start)
    }

    @Test func onlyAConfirmedAbsenceDeletesWithOneLookupPerRun() throws {
        let h = try SyncHarness(job: Self.window)
        for i in 0..<4 { try h.fromStore.put(h.event("V\(i)", hours: Double(i * 20 + 2)), key: "A\(i)") }
        try h.run()
        try h.fromStore.remove("A0")
        try h.fromStore.remove("A1")
        try h.fromStore.edit("A2") { Self.moved(&$0, days: 90) }
        let from = CountingLookups(h.fromConnector)
        let to = h.toConnector
        let job = try SyncJob(
            profile: h.profile.name, config: h.job, timeZone: h.profile.timeZone, from: from, to: to, batchSize: 100)
        let out = SyncEngine(job: job, from: from, to: to, store: h.state)
            .run(options: RunOptions(full: true, allowMassDelete: true), now: h.now)
        #expect(out.report.toCounts.deleted == 2)
        #expect(SyncHarness.titles(h.toStore) == ["V2", "V3"])
        #expect(from.calls == [["A0", "A1", "A2"]])
    }

    @Test func aSourceWhoseItemsAllMovedAwayIsNotAMassDelete() throws {
        let h = try SyncHarness(job: Self.window)
        for i in 0..<3 { try h.fromStore.put(h.event("V\(i)", hours: Double(i * 20 + 2)), key: "A\(i)") }
        try h.run()
        for i in 0..<3 { try h.fromStore.edit("A\(i)") { Self.moved(&$0, days: 60) } }
        let out = try h.run(RunOptions(full: true))
        #expect(out.report.result == .success, "\(out.report.error ?? "")")
        #expect(out.report.toCounts.deleted == 0 && out.report.toCounts.unchanged == 3)
        #expect(h.toStore.live.count == 3)

        // Truly gone (the lookup confirms it): the guard stops the run.
        for i in 0..<3 { try h.fromStore.remove("A\(i)") }
        let gone = try h.run(RunOptions(full: true))
        #expect(gone.report.result == .blocked)
        #expect(h.toStore.live.count == 3)
    }

    @Test func anUnreadableItemIsReportedNotLookedUp() throws {
        let h = try SyncHarness(job: Self.window)
        try h.fromStore.put(h.event("V0", hours: 2), key: "A0")
        try h.run()
        // The listing reports A0 as a problem (a value too long, a bad date): not a suspect.
        try h.fromStore.remove("A0")
        try h.fromStore.addProblem(ItemProblem(key: "A0", field: "content", reason: "too long"))
        let from = CountingLookups(h.fromConnector)
        let job = try SyncJob(
            profile: h.profile.name, config: h.job, timeZone: h.profile.timeZone, from: from, to: h.toConnector,
            batchSize: 100)
        let out = SyncEngine(job: job, from: from, to: h.toConnector, store: h.state)
            .run(options: RunOptions(full: true), now: h.now)
        #expect(from.calls.isEmpty)
        #expect(out.report.toCounts.deleted == 0 && out.report.failures.map(\.key) == ["A0"])
        #expect(h.toStore.live.count == 1)
    }

    @Test func aFailedLookupDeletesNothing() throws {
        let h = try SyncHarness(job: Self.window)
        try h.fromStore.put(h.event("V0", hours: 2), key: "A0")
        try h.fromStore.put(h.event("V1", hours: 3), key: "A1")
        try h.run()
        try h.fromStore.remove("A0")
        let from = CountingLookups(h.fromConnector, failing: true)
        let job = try SyncJob(
            profile: h.profile.name, config: h.job, timeZone: h.profile.timeZone, from: from, to: h.toConnector,
            batchSize: 100)
        let out = SyncEngine(job: job, from: from, to: h.toConnector, store: h.state)
            .run(options: RunOptions(full: true), now: h.now)
        #expect(out.report.result == .failed)
        #expect(out.report.errorCode == "http.transport")
        #expect(out.report.error?.contains("looking up 1 item(s) missing from the from side's listing") == true)
        #expect(h.toStore.live.count == 2)
    }
}

/// A connector that records each `lookup` call (and can fail them), delegating the rest.
final class CountingLookups: Connector {
    let inner: any Connector
    let failing: Bool
    /// Keys left out of every listing page.
    let hiding: Set<String>
    private(set) var calls: [[String]] = []

    init(_ inner: any Connector, hiding: Set<String> = [], failing: Bool = false) {
        self.inner = inner
        self.hiding = hiding
        self.failing = failing
    }

    var capabilities: ConnectorCapabilities { inner.capabilities }
    var fields: Set<EventField> { inner.fields }
    func read(_ request: ReadRequest) throws -> ReadPage {
        var page = try inner.read(request)
        page.items.removeAll { hiding.contains($0.key) }
        return page
    }
    func write(_ changes: [Change]) throws -> [WriteOutcome] { try inner.write(changes) }
    func testConnection() -> ConnectionReport { inner.testConnection() }

    func lookup(_ keys: [String]) throws -> [SourceItem] {
        calls.append(keys.sorted())
        if failing { throw AlmanacError(.httpTransport, "the side cannot be reached") }
        return try inner.lookup(keys)
    }
}

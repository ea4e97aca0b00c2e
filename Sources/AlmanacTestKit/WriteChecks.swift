import AlmanacCore
import Foundation

/// Checks of `write`: outcomes per change, deterministic ids, versions, deletes, write-back.
enum WriteChecks {
    static let all: [ConformanceCheck] = [
        createRoundTrip, reusedID, updateRoundTrip, staleVersion, updateMissing, deleteRemoves, outcomePerChange,
        writeBack,
    ]

    static func one(_ f: ConformanceFixture, _ change: Change, _ expect: Expect) throws -> WriteOutcome {
        let out = try f.connector.write([change])
        try expect.that(out.count == 1, "one change gave \(out.count) outcomes")
        return out[0]
    }

    static let createRoundTrip = ConformanceCheck(
        name: "a create is listed with its content and origin", requires: .write
    ) { f, expect in
        let event = f.sampleEvents(1, tag: "c")[0]
        let id = String(repeating: "ab", count: 32)
        guard case .written(let key, _) = try one(f, .create(id: id, event: event), expect) else {
            throw ConformanceFailure(check: "create", message: "create was not written")
        }
        let stored = try f.stored()
        try expect.that(stored.count == 1 && stored[key] != nil, "store holds \(stored.keys.sorted()), want [\(key)]")
        let r = try ConnectorConformance.readAll(f.connector, ReadRequest(window: f.window))
        try expect.that(r.items.count == 1 && r.items[0].key == key, "listing \(r.items.map(\.key)), want [\(key)]")
        try expect.same(r.items[0].event, event, fields: f.connector.fields, "created item")
        try expect.that(
            key == id || r.items[0].event.origin == id,
            "the created item carries neither the id as key nor as origin stamp")
    }

    static let reusedID = ConformanceCheck(
        name: "a reused create id never makes a second item", requires: .write, needs: [.deterministicCreates]
    ) { f, expect in
        let events = f.sampleEvents(2, tag: "r")
        let id = String(repeating: "cd", count: 32)
        _ = try one(f, .create(id: id, event: events[0]), expect)
        let second = try one(f, .create(id: id, event: events[1]), expect)
        switch second {
        case .conflict, .written: break
        default: throw ConformanceFailure(check: "reused id", message: "second create gave \(second)")
        }
        let count = try f.stored().count
        try expect.that(count == 1, "two creates with one id left \(count) items")
    }

    static let updateRoundTrip = ConformanceCheck(
        name: "an update replaces content and moves the version", requires: .write
    ) { f, expect in
        var event = f.sampleEvents(1, tag: "u")[0]
        let key = try f.seed([event])[0]
        let before = try ConnectorConformance.readAll(f.connector, ReadRequest(window: f.window)).items
        try expect.that(before.count == 1, "seeded one item, listed \(before.count)")
        event.title = "Moved appointment"
        event.location = "Room 42"
        let out = try one(f, .update(key: key, ifVersion: before[0].version, event: event), expect)
        guard case .written(let k, let version) = out else {
            throw ConformanceFailure(check: "update", message: "update gave \(out)")
        }
        try expect.that(k == key, "update changed the key from \(key) to \(k)")
        if f.versions { try expect.that(version != nil && version != before[0].version, "version did not move") }
        let stored = try f.stored()
        try expect.that(stored[key] != nil, "updated item missing from the store")
        try expect.same(stored[key]!, event, fields: f.connector.fields, "stored item after update")
    }

    static let staleVersion = ConformanceCheck(
        name: "an update with a stale version is a conflict", requires: .write, needs: [.versions]
    ) { f, expect in
        var event = f.sampleEvents(1, tag: "s")[0]
        let key = try f.seed([event])[0]
        let v0 = try ConnectorConformance.readAll(f.connector, ReadRequest(window: f.window)).items[0].version
        event.title = "First edit"
        _ = try one(f, .update(key: key, ifVersion: v0, event: event), expect)
        event.title = "Second edit"
        let out = try one(f, .update(key: key, ifVersion: v0, event: event), expect)
        guard case .conflict(let current) = out else {
            throw ConformanceFailure(check: "stale version", message: "stale update gave \(out)")
        }
        if let current {
            try expect.that(current.event.title == "First edit", "conflict's current item is not current")
        }
        try expect.that(try f.stored()[key]?.title == "First edit", "a stale update was applied")
    }

    static let updateMissing = ConformanceCheck(name: "an update of a missing item is gone", requires: .write) {
        f, expect in
        let out = try one(f, .update(key: "no-such-item-1", ifVersion: nil, event: f.sampleEvents(1)[0]), expect)
        try expect.that(out == .gone, "update of a missing item gave \(out)")
        try expect.that(try f.stored().isEmpty, "update of a missing item created one")
    }

    static let deleteRemoves = ConformanceCheck(name: "a delete removes; a second delete is gone", requires: .delete) {
        f, expect in
        let keys = try f.seed(f.sampleEvents(2, tag: "d"))
        let out = try one(f, .delete(key: keys[0], ifVersion: nil), expect)
        guard case .written = out else { throw ConformanceFailure(check: "delete", message: "delete gave \(out)") }
        let left = try f.stored().keys.sorted()
        try expect.that(left == [keys[1]], "store after delete: \(left)")
        let listed = try ConnectorConformance.readAll(f.connector, ReadRequest(window: f.window)).items.map(\.key)
        try expect.that(listed == [keys[1]], "listing after delete: \(listed)")
        let again = try one(f, .delete(key: keys[0], ifVersion: nil), expect)
        try expect.that(again == .gone, "second delete gave \(again)")
    }

    static let outcomePerChange = ConformanceCheck(name: "one outcome per change, in order", requires: .write) {
        f, expect in
        let events = f.sampleEvents(2, tag: "o")
        let out = try f.connector.write([
            .create(id: String(repeating: "0a", count: 32), event: events[0]),
            .update(key: "no-such-item-2", ifVersion: nil, event: events[0]),
            .create(id: String(repeating: "0b", count: 32), event: events[1]),
        ])
        try expect.that(out.count == 3, "three changes gave \(out.count) outcomes")
        guard case .written = out[0], case .gone = out[1], case .written = out[2] else {
            throw ConformanceFailure(check: "outcomes", message: "outcomes \(out), want written, gone, written")
        }
        let count = try f.stored().count
        try expect.that(count == 2, "store holds \(count) items, want 2")
    }

    static let writeBack = ConformanceCheck(name: "confirm and cancel are written back", requires: .writeBack) {
        f, expect in
        let events = f.sampleEvents(1, tag: "w")
        let key = try f.seed(events)[0]
        let c1 = try one(f, .confirm(key: key, event: events[0]), expect)
        guard case .written = c1 else { throw ConformanceFailure(check: "write-back", message: "confirm gave \(c1)") }
        let c2 = try one(f, .cancel(key: key, event: events[0]), expect)
        guard case .written = c2 else { throw ConformanceFailure(check: "write-back", message: "cancel gave \(c2)") }
    }
}

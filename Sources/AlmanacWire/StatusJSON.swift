import AlmanacCore
import Foundation

extension StatusList {
    /// This list exactly as `Wire.encoder().encode(self)` writes it, written by hand: `GET /v1/profiles`
    /// answers it for every profile of the daemon. For 1,000 profiles with a run each (1.25 MB),
    /// ~4 ms in a release build where `JSONEncoder` takes ~50. A list with a date the writer cannot
    /// write (before 1583 or after 9999) is written by `JSONEncoder`.
    /// - Throws: what `JSONEncoder` throws, only for such a list (nothing in it can make it throw).
    public func wireJSON() throws -> [UInt8] {
        var w = WireJSONWriter(capacity: 256 + profiles.count * 640)
        w.write(self)
        return w.failed ? Array(try Wire.encoder().encode(self)) : w.bytes
    }
}

extension ProfileStatus {
    /// This status exactly as `Wire.encoder().encode(self)` writes it (`StatusList.wireJSON()`).
    /// - Throws: what `JSONEncoder` throws, only for a date before 1583 or after 9999.
    public func wireJSON() throws -> [UInt8] {
        var w = WireJSONWriter(capacity: 1024)
        w.write(self)
        return w.failed ? Array(try Wire.encoder().encode(self)) : w.bytes
    }
}

/// Each type's keys in the order `.sortedKeys` gives (by their bytes); optionals that are nil are
/// left out, as the synthesized `encode(to:)` does with `encodeIfPresent`.
extension WireJSONWriter {
    mutating func write(_ list: StatusList) {
        openObject()
        optional("failing", list.failing) { $0.int($1) }
        optional("limit", list.limit) { $0.int($1) }
        optional("offset", list.offset) { $0.int($1) }
        key("profiles")
        array(list.profiles) { $0.write($1) }
        optional("total", list.total) { $0.int($1) }
        key("v")
        int(list.v)
        closeObject()
    }

    mutating func write(_ p: ProfileStatus) {
        openObject()
        optional("config_error", p.configError) { $0.array($1) { $0.string($1) } }
        optional("config_hash", p.configHash) { $0.string($1) }
        optional("connections", p.connections) { $0.array($1) { $0.write($1) } }
        key("enabled")
        bool(p.enabled)
        optional("file", p.file) { $0.string($1) }
        optional("health", p.health) { $0.string($1) }
        optional("job", p.job) { $0.string($1) }
        optional("jobs", p.jobs) { $0.array($1) { $0.write($1) } }
        optional("last_error", p.lastError) { $0.string($1) }
        optional("last_run", p.lastRun) { $0.write($1) }
        key("name")
        string(p.name)
        optional("next_run", p.nextRun) { $0.date($1) }
        optional("pid", p.pid) { $0.int(Int($1)) }
        optional("progress", p.progress) { $0.write($1) }
        key("restarts")
        int(p.restarts)
        optional("retry_at", p.retryAt) { $0.date($1) }
        optional("retry_in_s", p.retryInS) { $0.int($1) }
        key("since")
        date(p.since)
        key("state")
        string(p.state)
        optional("uptime_s", p.uptimeS) { $0.int($1) }
        closeObject()
    }

    mutating func write(_ r: RunSummary) {
        openObject()
        optional("cause", r.cause) { $0.array($1) { $0.string($1) } }
        optional("dry_run", r.dryRun) { $0.bool($1) }
        key("duration_ms")
        int(r.durationMS)
        optional("error", r.error) { $0.string($1) }
        optional("error_code", r.errorCode) { $0.string($1) }
        key("finished")
        date(r.finished)
        key("from")
        write(r.from)
        key("job")
        string(r.job)
        key("result")
        string(r.result)
        key("run_id")
        string(r.runID)
        optional("started", r.started) { $0.date($1) }
        key("to")
        write(r.to)
        optional("trigger", r.trigger) { $0.string($1) }
        closeObject()
    }

    mutating func write(_ j: JobStatus) {
        openObject()
        optional("last_dry_run", j.lastDryRun) { $0.write($1) }
        optional("last_run", j.lastRun) { $0.write($1) }
        key("name")
        string(j.name)
        closeObject()
    }

    mutating func write(_ c: ConnectionHealth) {
        openObject()
        key("checked")
        date(c.checked)
        optional("error", c.error) { $0.string($1) }
        optional("error_code", c.errorCode) { $0.string($1) }
        key("name")
        string(c.name)
        key("since")
        date(c.since)
        key("state")
        string(c.state.rawValue)
        closeObject()
    }

    mutating func write(_ counts: ActionCounts) {
        openObject()
        key("cancelled")
        int(counts.cancelled)
        key("confirmed")
        int(counts.confirmed)
        key("conflicts")
        int(counts.conflicts)
        key("created")
        int(counts.created)
        key("deleted")
        int(counts.deleted)
        key("failed")
        int(counts.failed)
        key("skipped")
        int(counts.skipped)
        key("unchanged")
        int(counts.unchanged)
        key("updated")
        int(counts.updated)
        closeObject()
    }

    mutating func write(_ progress: RunProgress) {
        openObject()
        key("done")
        int(progress.done)
        key("phase")
        string(progress.phase)
        optional("total", progress.total) { $0.int($1) }
        closeObject()
    }

    private mutating func optional<Value>(
        _ name: StaticString, _ value: Value?, _ write: (inout WireJSONWriter, Value) -> Void
    ) {
        guard let value else { return }
        key(name)
        write(&self, value)
    }

    private mutating func array<Element>(_ elements: [Element], _ write: (inout WireJSONWriter, Element) -> Void) {
        openArray()
        for e in elements {
            element()
            write(&self, e)
        }
        closeArray()
    }
}

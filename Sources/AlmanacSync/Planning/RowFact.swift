import AlmanacCore
import Foundation

/// What a source row was found to map to, kept in the state as `ItemState.rowFrom`: a
/// `ContentHash` of the row's fingerprint (`ItemSink.takeUnchanged`, made by the connector from
/// the row's raw cells and its mapping settings), the job's settings that decide how the engine
/// sees a `from` item (`seed`), and what the engine found of the item mapped from that row — its
/// content hash in the job's view, its version and its start.
///
/// The fact is made only for an item the engine found unchanged in full (`UnchangedFilter`:
/// no origin stamp, no problem, not excluded, its hash the state's). A later row with the same
/// fingerprint maps to the same item; when the fact made of its fingerprint and the state's
/// `hashFrom`, `versionFrom` and `start` is the state's `rowFrom`, the item it maps to has the
/// state's hash, version and start, and it is unchanged when that start is in the window — it is
/// not mapped. A fact made before any of those changed, or under other settings, does not match
/// (it is made again the next time the item is found unchanged in full), so no write needs to
/// keep it current: it is never wrong, at most out of date.
struct RowFact {
    /// Bump when what the engine makes of a `from` item changes for the same event (the content
    /// hash, the job's view): every `ItemState.rowFrom` kept by an earlier build then stops
    /// matching.
    static let revision: UInt64 = 2

    /// The words of the job's settings that change how the engine sees a `from` item: its
    /// projection, title template, scope (tentative items), direction, privacy and filters, and
    /// zone, and the time-zone data and build that resolve times.
    let seed: ContentHash

    init(job: SyncJob) {
        var h = ContentHash()
        h.add(word: Self.revision)
        h.add(AlmanacVersion.current)
        h.add(job.profile)
        h.add(job.config.name)
        let p = job.projection
        for field in p.fields { h.add(field.rawValue) }
        h.add("|phones")
        for kind in p.phonePriority { h.add(kind.rawValue) }
        h.add(p.allDayZone?.identifier ?? "-")
        h.add(word: p.trimsText ? 1 : 0)
        h.add(job.config.titleTemplate ?? "-")
        h.add(word: job.config.includeTentative ? 1 : 0)
        h.add(job.config.direction.rawValue)
        h.add("|outbound")  // privacy, its titles and the include/exclude filters (sorted)
        for line in job.config.outbound.summary { h.add(line) }
        h.add(job.timeZone.identifier)
        h.add(TimeZone.timeZoneDataVersion)
        seed = h
    }

    /// The fact for a row of `fingerprint` whose item has the hash `hash`, the version `version`
    /// and the start `start`; never 0 (0 in the state means no fact).
    func make(fingerprint: UInt64, hash: PackedHash, version: String?, start: Date) -> UInt64 {
        var h = seed
        h.add(word: fingerprint)
        switch hash {
        case .words(let a, let b):
            h.add(word: a)
            h.add(word: b)
        case .text(let t): h.add(t)
        }
        if let version { h.add(version) } else { h.add(word: 0) }
        h.add(word: start.timeIntervalSince1970.bitPattern)
        let fact = h.words.0
        return fact == 0 ? 1 : fact
    }
}

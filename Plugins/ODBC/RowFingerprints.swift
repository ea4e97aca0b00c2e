import AlmanacCore
import CODBC

/// The fingerprints of one fetched rowset's rows (`ItemSink.takeUnchanged`): per row, a
/// `ContentHash` of its raw cells — each column's length indicator, then its bytes as the driver
/// left them (text and binary values) or the fields the mapping reads (dates and times) — seeded
/// with everything else the row's mapping depends on (`seed`). Two rows with the same
/// fingerprint map to the same item. Computed by the thread that fetched the rowset
/// (`ResultReader.fetch(into:)`), while its values are in that thread's cache.
final class RowFingerprints: @unchecked Sendable {
    // @unchecked: used by one thread at a time, handed over with its rowset (`FetchPipeline`).

    /// Bump when the mapping of a row (`RowMapper`, `ContentVersion`) changes what it makes of
    /// the same cells: every fingerprint kept by an earlier build then stops matching.
    static let revision: UInt64 = 1

    let values: UnsafeMutablePointer<UInt64>
    private let seeded: ContentHash

    /// What a cell holds, for its fingerprint.
    enum Raw {
        /// No value bytes (NULL, or a value that cannot be read whole): the indicator says which.
        case none
        case bytes(UnsafeRawBufferPointer)
        /// A date, a time or a timestamp: its fields (`0` for those it does not have).
        case fields(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int)
    }

    /// `seed`: the words that name the mapping (the columns' names and bindings, the zone, the
    /// longest value read…); `rows`: the most rows a rowset holds.
    init(rows: Int, seed: ContentHash) {
        values = .allocate(capacity: max(rows, 1))
        seeded = seed
    }

    deinit { values.deallocate() }

    /// The seed of a result's fingerprints: `revision`, the columns' names and how each is
    /// bound (`kinds`), and `settings` (the connector's, such as the zone and `max_value_bytes`).
    static func seed(names: [String], kinds: [UInt64], settings: [String]) -> ContentHash {
        var h = ContentHash()
        h.add(word: revision)
        h.add(AlmanacVersion.current)
        h.add(word: UInt64(names.count))
        for (name, kind) in zip(names, kinds) {
            h.add(name)
            h.add(word: kind)
        }
        for s in settings { h.add(s) }
        return h
    }

    /// Computes the fingerprints of `count` rows of `columns` columns: cell (`row`, `column`)
    /// has the length indicator `indicator(row, column)` and holds `raw(row, column)`.
    func compute(
        count: Int, columns: Int, indicator: (_ row: Int, _ column: Int) -> Int,
        raw: (_ row: Int, _ column: Int) -> Raw
    ) {
        for row in 0..<count {
            var h = seeded
            for column in 0..<columns {
                h.add(word: UInt64(bitPattern: Int64(indicator(row, column))))
                switch raw(row, column) {
                case .none: break
                case .bytes(let b): h.add(b)
                case .fields(let year, let month, let day, let hour, let minute, let second):
                    func w(_ v: Int) -> UInt64 { UInt64(truncatingIfNeeded: v) & 0xFFFF }
                    h.add(word: w(year) << 32 | w(month) << 16 | w(day))
                    h.add(word: w(hour) << 32 | w(minute) << 16 | w(second))
                }
            }
            values[row] = h.words.0
        }
    }
}

extension ResultReader {
    /// Computes the fingerprints of the `count` rows fetched into `state`'s buffer set at `base`.
    func fingerprint(_ state: RowsetState, count: Int, base: UnsafeMutableRawPointer) {
        let slots = self.slots
        let maxValueBytes = self.maxValueBytes
        func indicator(_ row: Int, _ column: Int) -> Int {
            Int(
                (base + slots[column].indicators).load(
                    fromByteOffset: row * MemoryLayout<SQLLEN>.stride, as: SQLLEN.self))
        }
        state.fingerprints.compute(
            count: count, columns: slots.count, indicator: indicator,
            raw: { row, column in
                let s = slots[column]
                let ind = indicator(row, column)
                guard ind >= 0 else { return .none }
                let at = UnsafeRawPointer(base + s.data + row * s.size)
                switch s.kind {
                case .utf8, .utf16:
                    guard ind <= s.capacity, ind <= maxValueBytes else { return .none }
                    return .bytes(UnsafeRawBufferPointer(start: at, count: ind))
                case .timestamp:
                    let t = at.loadUnaligned(as: SQL_TIMESTAMP_STRUCT.self)
                    return .fields(
                        year: Int(t.year), month: Int(t.month), day: Int(t.day), hour: Int(t.hour),
                        minute: Int(t.minute), second: Int(t.second))
                case .date:
                    let d = at.loadUnaligned(as: SQL_DATE_STRUCT.self)
                    return .fields(
                        year: Int(d.year), month: Int(d.month), day: Int(d.day), hour: 0, minute: 0, second: 0)
                case .time:
                    let t = at.loadUnaligned(as: SQL_TIME_STRUCT.self)
                    return .fields(
                        year: 0, month: 0, day: 0, hour: Int(t.hour), minute: Int(t.minute), second: Int(t.second))
                }
            })
    }
}

import AlmanacCore
import Foundation

/// What the cronofy connector knows of the series it wrote as single events (`recurrence =
/// "series"`, README "Recurring events"): Cronofy keeps no series and no private data on an
/// event, so the series' definition and the state of each occurrence written for it live here,
/// in `STATE/PROFILE.CONNECTION.JOB.cronofy-series.json` (mode 0600, replaced atomically).
///
/// An occurrence is the Cronofy event `<series key>_<original start>` (`instanceID`): the same
/// series and occurrence always get the same `event_id`, so a write repeated after a crash
/// upserts the events it already made rather than adding others.
struct CronofySeriesBook: Codable, Equatable {
    /// One series: `event` as last written whole (every occurrence accepted by Cronofy; nil until
    /// then, and the series is then not listed), and its occurrences by `event_id`.
    struct Entry: Codable, Equatable {
        var event: Event?
        var instances: [String: Instance] = [:]
    }

    /// One occurrence written as a Cronofy event.
    struct Instance: Codable, Equatable {
        /// Its start in the series before any move: the key of an exception.
        var originalStart: EventTime
        /// The start and end it was written with.
        var start: EventTime
        var end: EventTime?
        /// A hash of the upsert body Cronofy accepted; nil while that write is not confirmed
        /// (it is sent again by the next write of the series, and its absence is no deletion).
        var body: String?
        var state: State
    }

    /// What the calendar shows of an occurrence since it was written.
    enum State: Codable, Equatable {
        /// As written.
        case live
        /// Deleted on the calendar: a cancelled exception of the series.
        case cancelled
        /// Moved on the calendar: a moved exception.
        case moved(start: EventTime, end: EventTime?)
        /// No longer an occurrence of the series: its deletion is sent until Cronofy accepts it.
        case removing
    }

    var series: [String: Entry] = [:]

    /// The `event_id` of the occurrence of series `key` originally starting at `originalStart`:
    /// `KEY_YYYYMMDDTHHMMSSZ` (UTC), `KEY_YYYYMMDD` for an all-day series.
    static func instanceID(series key: String, originalStart: EventTime) -> String {
        switch originalStart {
        case .allDay: return key + "_" + EventSeries.text([originalStart], zone: .gmt)
        case .instant: return key + "_" + EventSeries.text([originalStart], zone: .gmt) + "Z"
        }
    }

    /// The series key of an `event_id` shaped as `instanceID` makes them, else nil.
    static func seriesKey(ofInstance id: String) -> String? {
        guard let bar = id.lastIndex(of: "_"), bar > id.startIndex else { return nil }
        let stamp = id[id.index(after: bar)...]
        let digits = stamp.filter(\.isNumber).count
        let shaped =
            (stamp.count == 8 && digits == 8)
            || (stamp.count == 16 && digits == 14 && stamp.dropFirst(8).first == "T" && stamp.last == "Z")
        return shaped ? String(id[..<bar]) : nil
    }

    /// The exceptions the calendar made to series `key`: its cancelled and moved occurrences
    /// (only those whose write was confirmed).
    func exceptions(of key: String) -> [RecurrenceSet.Exception] {
        guard let entry = series[key] else { return [] }
        return entry.instances.values.sorted { $0.originalStart.date(in: .gmt) < $1.originalStart.date(in: .gmt) }
            .compactMap { i -> RecurrenceSet.Exception? in
                switch i.state {
                case .cancelled: return RecurrenceSet.Exception(originalStart: i.originalStart, change: .cancelled)
                case .moved(let start, let end):
                    return RecurrenceSet.Exception(
                        originalStart: i.originalStart, change: .moved(start: start, end: end))
                case .live, .removing: return nil
                }
            }
    }
}

/// The file of a `CronofySeriesBook`, read once by the connector that holds it (one run: every
/// read chunk, lookup and write of the run asks for the book) and kept as last saved. The
/// connector is the file's only writer while it lives: one run of a profile at a time, the job
/// in the file's name, and a job's sides never the same connection.
final class CronofySeriesStore {
    let url: URL
    /// The book as last loaded or saved.
    private var held: CronofySeriesBook?

    init(stateDirectory: URL, profile: String?, connection: String, job: String?) {
        func part(_ s: String) -> String {
            String(s.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" })
        }
        let name = [profile ?? "almanac", connection, job ?? "job"].map(part).joined(separator: ".")
        url = stateDirectory.appendingPathComponent(name + ".cronofy-series.json")
    }

    /// The book; an empty one when the file does not exist. Throws `cronofy.series_state` when
    /// the file cannot be read.
    func load() throws -> CronofySeriesBook {
        if let held { return held }
        guard FileManager.default.fileExists(atPath: url.path) else { return CronofySeriesBook() }
        do {
            let book = try JSONDecoder().decode(CronofySeriesBook.self, from: Data(contentsOf: url))
            held = book
            return book
        } catch {
            throw AlmanacError(
                .cronofySeriesState,
                "cannot read \(url.path) (the series written to Cronofy): \(error); restore it from a backup, or remove it and delete the series' events from the calendar"
            )
        }
    }

    /// Replaces the file with `book` (a temporary file, mode 0600, renamed over it). Throws
    /// `cronofy.series_state`.
    func save(_ book: CronofySeriesBook) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let dir = url.deletingLastPathComponent().path
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            // The only copy of the rules written to Cronofy: fsynced before it replaces the last one.
            try DurableFile.write(Array(try encoder.encode(book)), to: url.path)
            held = book
        } catch {
            throw AlmanacError(
                .cronofySeriesState, "cannot write \(url.path) (the series written to Cronofy): \(error)")
        }
    }
}

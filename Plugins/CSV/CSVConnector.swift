import AlmanacCore
import FileConnectorSupport
import Foundation
import Logging

/// A CSV file, or a directory of CSV files, as one side of a job.
///
/// `read` lists every row whose start falls in the window, in pages of `pageSize` items, as a
/// complete listing (`coverage: .complete(window)`) with each row's content hash as its version.
/// It throws rather than list nothing when a file is missing, being written, empty, not CSV, or
/// has rows but none readable — so a broken export never looks like "everything was deleted".
/// `write` rewrites the whole file atomically (see `CSVSink`).
public final class CSVConnector: Connector {
    public let capabilities: ConnectorCapabilities
    /// Everything but participants' responses, which a row has no column for.
    public var fields: Set<EventField> { Set(EventField.allCases).subtracting([.responses]) }
    let settings: CSVSettings
    let source: FileSource
    let mapper: RowMapper
    let pageSize: Int
    private let logger: Logger
    private let side: ConnectorContext.Side
    /// For a job's target: whether the file was written before (a missing file is then an error,
    /// not an empty store).
    private let marker: SinkMarker?

    /// The listing in progress, kept between pages so a page continues where the last stopped.
    private struct Session {
        var files: [URL]
        var listing: String
        var index: Int
        var reader: CSVFileReader?
        var token: String
    }
    private var session: Session?

    init(
        settings: CSVSettings, side: ConnectorContext.Side, capabilities: ConnectorCapabilities, logger: Logger,
        pageSize: Int = 5000, marker: SinkMarker? = nil
    ) {
        self.marker = marker
        self.settings = settings
        self.side = side
        self.capabilities = capabilities
        self.logger = logger
        self.pageSize = pageSize
        source = FileSource(prefix: "csv", path: settings.path, glob: settings.glob, settle: settings.settle)
        mapper = RowMapper(timeZone: settings.timeZone, formats: settings.formats)
    }

    public func read(_ request: ReadRequest) throws -> ReadPage {
        var s = try resume(request.continuation)
        var items: [SourceItem] = []
        var problems: [ItemProblem] = []
        let zone = settings.timeZone
        while items.count < pageSize && s.index < s.files.count {
            let reader: CSVFileReader
            if let r = s.reader {
                reader = r
            } else {
                reader = try CSVFileReader(url: s.files[s.index], settings: settings, source: source, mapper: mapper)
                s.reader = reader
            }
            while items.count < pageSize, let next = try reader.next(window: request.window) {
                switch next {
                case .item(let item): if request.window.contains(item.event.start.date(in: zone)) { items.append(item) }
                case .problem(let p): problems.append(p)
                }
            }
            if items.count >= pageSize { break }
            try finish(reader)
            s.reader = nil
            s.index += 1
        }
        if s.index >= s.files.count {
            session = nil
            return ReadPage(items: items, problems: problems, coverage: .complete(request.window))
        }
        let r = s.reader!
        s.token = [
            "csv1", s.listing, String(s.index), String(r.position.offset), String(r.position.line),
            String(r.valid), String(r.problems), r.stamp.token,
        ].joined(separator: ":")
        session = s
        return ReadPage(items: items, problems: problems, coverage: .complete(request.window), continuation: s.token)
    }

    /// A file read to its end: it must not have changed meanwhile, and must have given something.
    private func finish(_ reader: CSVFileReader) throws {
        try source.unchanged(reader.url, since: reader.stamp)
        if reader.valid == 0 && reader.problems > 0 {
            throw AlmanacError(
                "csv.no_valid_rows",
                "\(reader.url.path): none of its rows could be read, so nothing is synced from it (first problem: \(reader.firstProblem ?? "?"))"
            )
        }
    }

    /// The session for `continuation`: the one in memory, or one rebuilt from the token.
    private func resume(_ continuation: String?) throws -> Session {
        guard let continuation else {
            if let marker, !marker.exists, !FileManager.default.fileExists(atPath: settings.path.path) {
                // A target file not written yet: an empty store, created by the first write.
                return Session(files: [], listing: "", index: 0, reader: nil, token: "")
            }
            if let marker, marker.exists, !FileManager.default.fileExists(atPath: settings.path.path) {
                throw AlmanacError(
                    "csv.path_missing",
                    "\(settings.path.path) was written by this job before and is gone: restore it (nothing is synced "
                        + "meanwhile), or delete \(marker.url.path) to start over with an empty file")
            }
            let files = try source.files()
            return Session(files: files, listing: CSVConnector.listingHash(files), index: 0, reader: nil, token: "")
        }
        if let s = session, s.token == continuation {
            // Every page checks that the file is still the one the listing started on.
            if let r = s.reader { try source.unchanged(r.url, since: r.stamp) }
            return s
        }
        let parts = continuation.split(separator: ":").map(String.init)
        guard parts.count == 8, parts[0] == "csv1", let index = Int(parts[2]), let offset = Int64(parts[3]),
            let line = Int(parts[4]), let valid = Int(parts[5]), let problems = Int(parts[6])
        else { throw AlmanacError("csv.bad_continuation", "the listing cannot be continued: start it again") }
        let files = try source.files()
        guard CSVConnector.listingHash(files) == parts[1], index < files.count else {
            throw AlmanacError(
                "csv.file_busy",
                "the files in \(settings.path.path) changed during the listing: it is read again on the next run")
        }
        let reader = try CSVFileReader(
            url: files[index], settings: settings, source: source, mapper: mapper,
            resume: (offset, line, valid, problems))
        guard reader.stamp.token == parts[7] else {
            throw AlmanacError(
                "csv.file_busy", "\(files[index].path) changed during the listing: it is read again on the next run")
        }
        return Session(files: files, listing: parts[1], index: index, reader: reader, token: continuation)
    }

    static func listingHash(_ files: [URL]) -> String {
        var h = ContentHash()
        for f in files { h.add(f.path) }
        return h.hex
    }

    public func write(_ changes: [Change]) throws -> [WriteOutcome] {
        let outcomes = try CSVSink(settings: settings, source: source, mapper: mapper).apply(changes)
        if FileManager.default.fileExists(atPath: settings.path.path) { marker?.record() }
        return outcomes
    }

    public func testConnection() -> ConnectionReport {
        var steps: [ConnectionReport.Step] = []
        if side == .to && !FileManager.default.fileExists(atPath: settings.path.path) {
            let dir = settings.path.deletingLastPathComponent().path
            let writable = access(dir, W_OK) == 0
            return ConnectionReport(steps: [
                .init(
                    name: "file", ok: writable,
                    detail: writable
                        ? "\(settings.path.path) does not exist yet: the first write creates it"
                        : "\(dir) is not writable by this user: the file cannot be created")
            ])
        }
        do {
            let files = try source.files()
            steps.append(
                .init(
                    name: "files", ok: true,
                    detail: "\(files.count) file(s): "
                        + files.prefix(5).map(\.lastPathComponent).joined(separator: ", ")))
            let reader = try CSVFileReader(url: files[0], settings: settings, source: source, mapper: mapper)
            var items = 0, problems = 0
            while items + problems < 100, let next = try reader.next() {
                if case .item = next { items += 1 } else { problems += 1 }
            }
            let mapped = zip(reader.layout.names, reader.layout.fields).compactMap { n, f in f.map { "\(n)→\($0.name)" }
            }
            steps.append(.init(name: "header", ok: true, detail: mapped.prefix(12).joined(separator: ", ")))
            steps.append(
                .init(
                    name: "rows", ok: items > 0 || problems == 0,
                    detail: "first \(items + problems) row(s): \(items) readable, \(problems) with problems"
                        + (reader.firstProblem.map { " (first: \($0))" } ?? "")))
        } catch let e as AlmanacError {
            steps.append(.init(name: "read", ok: false, detail: e.message))
        } catch {
            steps.append(.init(name: "read", ok: false, detail: "\(error)"))
        }
        return ConnectionReport(steps: steps)
    }
}

import AlmanacCore
import FileConnectorSupport
import Foundation
import Logging

/// An XML document, or a directory of them, as one side of a job.
///
/// `read` lists every item whose start falls in the window, in pages of `pageSize` items, as a
/// complete listing with each item's content hash as its version. It throws rather than list
/// nothing when a file is missing, being written, empty, too large, not well-formed, not the
/// expected document, or has items but none readable. `write` rewrites the whole document
/// atomically (see `XMLSink`).
public final class XMLConnector: Connector {
    public let capabilities: ConnectorCapabilities
    /// Everything but participants' responses, which a row has no column for.
    public var fields: Set<EventField> { Set(EventField.allCases).subtracting([.responses]) }
    let settings: XMLSettings
    let source: FileSource
    let mapper: RowMapper
    let pageSize: Int
    private let side: ConnectorContext.Side
    /// For a job's target: whether the file was written before (a missing file is then an error,
    /// not an empty store).
    private let marker: SinkMarker?
    private let logger: Logger

    private struct Session {
        var files: [URL]
        var listing: String
        var index: Int
        var reader: XMLItemReader?
        var token: String
    }
    private var session: Session?

    init(
        settings: XMLSettings, side: ConnectorContext.Side, capabilities: ConnectorCapabilities, logger: Logger,
        pageSize: Int = 5000, marker: SinkMarker? = nil
    ) {
        self.marker = marker
        self.settings = settings
        self.side = side
        self.capabilities = capabilities
        self.logger = logger
        self.pageSize = pageSize
        source = FileSource(prefix: "xml", path: settings.path, glob: settings.glob, settle: settings.settle)
        mapper = RowMapper(timeZone: settings.timeZone, formats: settings.formats)
    }

    public func read(_ request: ReadRequest) throws -> ReadPage {
        var s = try resume(request.continuation)
        var items: [SourceItem] = []
        var problems: [ItemProblem] = []
        let zone = settings.timeZone
        while items.count < pageSize && s.index < s.files.count {
            let reader: XMLItemReader
            if let r = s.reader {
                reader = r
            } else {
                reader = try XMLItemReader(url: s.files[s.index], settings: settings, source: source)
                s.reader = reader
            }
            while items.count < pageSize, let next = try reader.next(mapper: mapper, window: request.window) {
                switch next {
                case .item(let item): if request.window.contains(item.event.start.date(in: zone)) { items.append(item) }
                case .problem(let p): problems.append(p)
                }
            }
            if items.count >= pageSize { break }
            try source.unchanged(reader.url, since: reader.stamp)
            if reader.valid == 0 && reader.problems > 0 {
                throw AlmanacError(
                    "xml.no_valid_items",
                    "\(reader.url.path): none of its items could be read, so nothing is synced from it (first problem: \(reader.firstProblem ?? "?"))"
                )
            }
            s.reader = nil
            s.index += 1
        }
        if s.index >= s.files.count {
            session = nil
            return ReadPage(items: items, problems: problems, coverage: .complete(request.window))
        }
        let r = s.reader!
        s.token = [
            "xml1", s.listing, String(s.index), String(r.itemsSeen), String(r.valid), String(r.problems),
            r.stamp.token,
        ].joined(separator: ":")
        session = s
        return ReadPage(items: items, problems: problems, coverage: .complete(request.window), continuation: s.token)
    }

    private func resume(_ continuation: String?) throws -> Session {
        guard let continuation else {
            if let marker, !marker.exists, !FileManager.default.fileExists(atPath: settings.path.path) {
                // A target file not written yet: an empty store, created by the first write.
                return Session(files: [], listing: "", index: 0, reader: nil, token: "")
            }
            if let marker, marker.exists, !FileManager.default.fileExists(atPath: settings.path.path) {
                throw AlmanacError(
                    "xml.path_missing",
                    "\(settings.path.path) was written by this job before and is gone: restore it (nothing is synced "
                        + "meanwhile), or delete \(marker.url.path) to start over with an empty file")
            }
            let files = try source.files()
            return Session(files: files, listing: XMLConnector.listingHash(files), index: 0, reader: nil, token: "")
        }
        if let s = session, s.token == continuation {
            // Every page checks that the file is still the one the listing started on.
            if let r = s.reader { try source.unchanged(r.url, since: r.stamp) }
            return s
        }
        let parts = continuation.split(separator: ":").map(String.init)
        guard parts.count == 7, parts[0] == "xml1", let index = Int(parts[2]), let seen = Int(parts[3]) else {
            throw AlmanacError("xml.bad_continuation", "the listing cannot be continued: start it again")
        }
        let files = try source.files()
        guard XMLConnector.listingHash(files) == parts[1], index < files.count else {
            throw AlmanacError(
                "xml.file_busy",
                "the files in \(settings.path.path) changed during the listing: it is read again on the next run")
        }
        let reader = try XMLItemReader(url: files[index], settings: settings, source: source, skip: seen)
        guard reader.stamp.token == parts[6] else {
            throw AlmanacError(
                "xml.file_busy", "\(files[index].path) changed during the listing: it is read again on the next run")
        }
        return Session(files: files, listing: parts[1], index: index, reader: reader, token: continuation)
    }

    static func listingHash(_ files: [URL]) -> String {
        var h = ContentHash()
        for f in files { h.add(f.path) }
        return h.hex
    }

    public func write(_ changes: [Change]) throws -> [WriteOutcome] {
        let outcomes = try XMLSink(settings: settings, source: source, mapper: mapper).apply(changes)
        if FileManager.default.fileExists(atPath: settings.path.path) { marker?.record() }
        return outcomes
    }

    public func testConnection() -> ConnectionReport {
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
        var steps: [ConnectionReport.Step] = []
        do {
            let files = try source.files()
            steps.append(
                .init(
                    name: "files", ok: true,
                    detail: "\(files.count) file(s): "
                        + files.prefix(5).map(\.lastPathComponent).joined(separator: ", ")))
            let reader = try XMLItemReader(url: files[0], settings: settings, source: source)
            var items = 0, problems = 0
            while items + problems < 100, let next = try reader.next(mapper: mapper) {
                if case .item = next { items += 1 } else { problems += 1 }
            }
            steps.append(
                .init(
                    name: "items", ok: items > 0 || problems == 0,
                    detail: "first \(items + problems) <\(settings.item.elements.last!.qualified)> item(s): "
                        + "\(items) readable, \(problems) with problems"
                        + (reader.firstProblem.map { " (first: \($0))" } ?? "")))
        } catch let e as AlmanacError {
            steps.append(.init(name: "read", ok: false, detail: e.message))
        } catch {
            steps.append(.init(name: "read", ok: false, detail: "\(error)"))
        }
        return ConnectionReport(steps: steps)
    }
}

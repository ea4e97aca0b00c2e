import AlmanacCore
import Foundation
import RowMapping

#if canImport(Glibc)
    import Glibc
#endif

/// One record read from a file: an item, or a problem naming the file and line.
public enum FileRecord {
    case item(SourceItem)
    case problem(ItemProblem)
}

/// Reads one file's records in order, for `FileListing`.
public protocol FileRecordReader: AnyObject {
    var url: URL { get }
    /// The file's size and time when it was opened; compared again when the file is finished.
    var stamp: FileStamp { get }
    /// Records read so far that became items / problems.
    var valid: Int { get }
    var problems: Int { get }
    var firstProblem: String? { get }
    /// The next record; nil at the end of the file. With `window`, records that certainly start
    /// outside it may be passed over unmapped.
    func nextRecord(window: TimeWindow?) throws -> FileRecord?
    /// The same for a listing's page: an item is appended to `items`, a problem put in `problem`;
    /// false at the end of the file (fewer copies of each item than through a `FileRecord`).
    func nextRecord(window: TimeWindow?, into items: inout [SourceItem], problem: inout ItemProblem?) throws -> Bool
    /// Where the reader stands, as continuation fields (no ':'); equal fields mean the same
    /// point of the same file (a listing resumed from its token reads up to them again).
    var continuationFields: [String] { get }
    /// The line where the record last returned starts.
    var recordLine: Int { get }
    /// The problem for the item last returned, whose key `key` an earlier record (`firstAt`,
    /// e.g. `a.csv line 3`) of the same listing already has: reported like any other bad record,
    /// with the file and line (and column) of this one.
    func duplicate(key: String, firstAt: String) -> ItemProblem
}

extension FileRecordReader {
    public func nextRecord(
        window: TimeWindow?, into items: inout [SourceItem], problem: inout ItemProblem?
    ) throws -> Bool {
        guard let next = try nextRecord(window: window) else { return false }
        switch consume next {
        case .item(let item): items.append(item)
        case .problem(let p): problem = p
        }
        return true
    }
}

/// The listing the file connectors share: a file or a directory of files read as one complete
/// listing of the window (`coverage: .complete`), in pages of `pageSize` items.
///
/// - A page ends inside a file; its continuation (`PREFIX1:listing:index:fields…:stamp`) resumes
///   there, in this process from memory, or after a restart by reading the files again up to
///   that point and checking that neither the list of files nor the file changed (else
///   `PREFIX.file_busy`).
/// - An `external_id` is listed once: a later record of the listing (same file or another file
///   of the glob, any page) with a key already listed is an item problem naming its file and
///   line, and is skipped.
/// - A file read to its end must be unchanged since it was opened, and a file with records none of
///   which could be read fails the read (`PREFIX.no_valid_UNIT`): a broken export never lists as
///   "nothing", so it never causes deletions.
/// - A job's target that was never written reads as empty (the first write creates it); once
///   written (the `SinkMarker`), a missing target is an error (`PREFIX.path_missing`).
public final class FileListing<Reader: FileRecordReader> {
    /// Opens a file, to be read from its start, with the listing's source and mapper.
    public typealias Open = (_ url: URL, _ source: FileSource, _ mapper: RowMapper) throws -> Reader

    /// `csv`, `xml`: the prefix of error codes and continuation tokens.
    public let prefix: String
    /// `rows`, `items`: what a file holds, in messages.
    public let unit: String
    public let path: URL
    public let source: FileSource
    /// Rows to events (and, for sinks, back), in the connection's zone and formats.
    public let mapper: RowMapper
    public let pageSize: Int
    let timeZone: TimeZone
    let fieldCount: Int
    let marker: SinkMarker?
    let open: Open

    private struct Session {
        var files: [URL]
        var listing: String
        var index: Int
        var reader: Reader?
        var token: String
        /// The keys listed so far, with where they were: file index << 32 | line.
        var seen = ListedKeys()
    }
    private var session: Session?

    /// A listing of the files `settings` names, mapped in its zone with its date formats.
    /// - Parameter fieldCount: how many continuation fields a reader gives.
    public init(
        prefix: String, unit: String, settings: FileSettings, pageSize: Int,
        fieldCount: Int, marker: SinkMarker?, open: @escaping Open
    ) {
        self.prefix = prefix
        self.unit = unit
        self.path = settings.path
        self.source = FileSource(prefix: prefix, path: settings.path, glob: settings.glob, settle: settings.settle)
        self.mapper = RowMapper(timeZone: settings.timeZone, formats: settings.formats)
        mapper.contacts = settings.contacts
        self.timeZone = settings.timeZone
        self.pageSize = pageSize
        self.fieldCount = fieldCount
        self.marker = marker
        self.open = open
    }

    /// This connector's code for a failure, e.g. `\.fileBusy` → `csv.file_busy`.
    func code(_ code: Swift.KeyPath<FileErrorCodes, ErrorCode>) -> ErrorCode {
        FileErrorCodes.of(prefix)[keyPath: code]
    }

    func badContinuation() -> AlmanacError {
        AlmanacError(code(\.badContinuation), "the listing cannot be continued: start it again")
    }

    public func read(_ request: ReadRequest) throws -> ReadPage {
        var s = try resume(request)
        var items: [SourceItem] = []
        // At its size from the start: grown by doubling, a full page was copied about once more
        // and its old buffers freed (~0.7 k instructions an item).
        items.reserveCapacity(pageSize)
        var problems: [ItemProblem] = []
        while items.count < pageSize && s.index < s.files.count {
            let reader = try s.reader ?? open(s.files[s.index], source, mapper)
            s.reader = reader
            var problem: ItemProblem?
            while items.count < pageSize, try reader.nextRecord(window: request.window, into: &items, problem: &problem)
            {
                if let p = problem {
                    problems.append(p)
                    problem = nil
                    continue
                }
                let last = items.count - 1
                guard lists(items[last], in: request.window) else {
                    items.removeLast()
                    continue
                }
                if let p = listed(items[last].key, reader, &s) {
                    items.removeLast()
                    problems.append(p)
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
        s.token = (["\(prefix)1", s.listing, String(s.index)] + r.continuationFields + [r.stamp.token])
            .joined(separator: ":")
        session = s
        return ReadPage(items: items, problems: problems, coverage: .complete(request.window), continuation: s.token)
    }

    /// Every file read to its end, keeping the items among `keys` wherever their start lies (the
    /// first record of a key, as a listing keeps it): `Connector.lookup` for the file connectors.
    /// Throws as a listing does (a file missing, changed while read, or with no readable record),
    /// and `PREFIX.unreadable_item` when a record of a key asked for cannot be read, so nothing is
    /// deleted on the strength of a file that was not read whole.
    public func lookup(_ keys: [String]) throws -> [SourceItem] {
        let wanted = Set(keys)
        let s = try resume(ReadRequest(window: TimeWindow(start: .distantPast, end: .distantFuture)))
        var found: [String: SourceItem] = [:]
        for url in s.files {
            let reader = try open(url, source, mapper)
            while let next = try reader.nextRecord(window: nil) {
                switch consume next {
                case .item(let item):
                    if wanted.contains(item.key) && found[item.key] == nil { found[item.key] = item }
                case .problem(let p):
                    guard wanted.contains(p.key) else { continue }
                    throw AlmanacError(code(\.unreadableItem), "\(p); it cannot be looked up, so it is not deleted")
                }
            }
            try finish(reader)
        }
        return keys.compactMap { found[$0] }
    }

    /// Call after a write: the target now exists, so a later disappearance is an error.
    public func recordWrite() {
        if FileManager.default.fileExists(atPath: path.path) { marker?.record() }
    }

    /// The common start of `testConnection`: a target not written yet is one step (can it be
    /// created?); otherwise the files step, then `describe` with the first file's reader after up
    /// to 100 records, and the number of items and problems among them.
    public func testConnection(
        side: ConnectorContext.Side,
        describe: (Reader, _ items: Int, _ problems: Int) -> [ConnectionReport.Step]
    )
        -> ConnectionReport
    {
        if side == .to && !FileManager.default.fileExists(atPath: path.path) {
            let dir = path.deletingLastPathComponent().path
            let writable = access(dir, W_OK) == 0
            return ConnectionReport(steps: [
                .init(
                    name: "file", ok: writable,
                    detail: writable
                        ? "\(path.path) does not exist yet: the first write creates it"
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
            let reader = try open(files[0], source, mapper)
            var items = 0, problems = 0
            while items + problems < 100, let next = try reader.nextRecord(window: nil) {
                if case .item = next { items += 1 } else { problems += 1 }
            }
            steps += describe(reader, items, problems)
        } catch let e as AlmanacError {
            steps.append(.init(name: "read", ok: false, detail: e.message))
        } catch {
            steps.append(.init(name: "read", ok: false, detail: "\(error)"))
        }
        return ConnectionReport(steps: steps)
    }

    /// A file read to its end: it must not have changed meanwhile, and must have given something.
    private func finish(_ reader: Reader) throws {
        try source.unchanged(reader.url, since: reader.stamp)
        if reader.valid == 0 && reader.problems > 0 {
            throw AlmanacError(
                code(\.noValidRecords),
                "\(reader.url.path): none of its \(unit) could be read, so nothing is synced from it (first problem: \(reader.firstProblem ?? "?"))"
            )
        }
    }

    /// Records an item's key as listed; if an earlier record has it, the problem to report instead.
    private func listed(_ key: String, _ reader: Reader, _ s: inout Session) -> ItemProblem? {
        let here = s.index << 32 | min(reader.recordLine, Int(UInt32.max))
        guard let first = s.seen.insert(key, at: here) else { return nil }
        let firstAt = "\(s.files[first >> 32].lastPathComponent) line \(first & 0xFFFF_FFFF)"
        return reader.duplicate(key: key, firstAt: firstAt)
    }

    /// The session for the request's continuation: the one in memory, or one rebuilt from the token.
    private func resume(_ request: ReadRequest) throws -> Session {
        guard let continuation = request.continuation else {
            if let marker, !FileManager.default.fileExists(atPath: path.path) {
                if !marker.exists {
                    // A target file not written yet: an empty store, created by the first write.
                    return Session(files: [], listing: "", index: 0, reader: nil, token: "")
                }
                throw AlmanacError(
                    code(\.pathMissing),
                    "\(path.path) was written by this job before and is gone: restore it (nothing is synced "
                        + "meanwhile), or delete \(marker.url.path) to start over with an empty file")
            }
            let files = try source.files()
            return Session(files: files, listing: Self.listingHash(files), index: 0, reader: nil, token: "")
        }
        if let s = session, s.token == continuation {
            // Taken out, so the keys listed are not copied when the page adds to them.
            session = nil
            // Every page checks that the file is still the one the listing started on.
            if let r = s.reader { try source.unchanged(r.url, since: r.stamp) }
            return s
        }
        let parts = continuation.split(separator: ":").map(String.init)
        guard parts.count == fieldCount + 4, parts[0] == "\(prefix)1", let index = Int(parts[2]) else {
            throw badContinuation()
        }
        let files = try source.files()
        guard Self.listingHash(files) == parts[1], index < files.count else {
            throw AlmanacError(
                code(\.fileBusy),
                "the files in \(path.path) changed during the listing: it is read again on the next run",
                retryable: true)
        }
        var s = Session(files: files, listing: parts[1], index: 0, reader: nil, token: continuation)
        try replay(&s, to: index, at: Array(parts[3..<(3 + fieldCount)]), window: request.window)
        guard s.reader?.stamp.token == parts[parts.count - 1] else {
            throw AlmanacError(
                code(\.fileBusy), "\(files[index].path) changed during the listing: it is read again on the next run",
                retryable: true)
        }
        return s
    }

    /// Reads the listing again from its start up to file `index` at the point `fields`, keeping
    /// only the keys listed (the pages before were returned already): a listing resumed in
    /// another process still knows which keys it listed. Throws `bad_continuation` when the file
    /// has no such point.
    /// Whether a listing of `window` lists `item`: one starting in it, or any contact (windows do
    /// not apply to contacts).
    private func lists(_ item: SourceItem, in window: TimeWindow) -> Bool {
        mapper.contacts != nil || window.contains(item.event.start.date(in: timeZone))
    }

    private func replay(_ s: inout Session, to index: Int, at fields: [String], window: TimeWindow) throws {
        while s.index <= index {
            let reader = try open(s.files[s.index], source, mapper)
            s.reader = reader
            while s.index < index || reader.continuationFields != fields {
                guard let next = try reader.nextRecord(window: window) else {
                    guard s.index < index else { throw badContinuation() }
                    break
                }
                if case .item(let item) = next, lists(item, in: window) {
                    _ = listed(item.key, reader, &s)
                }
            }
            if s.index == index { return }
            try finish(reader)
            s.index += 1
        }
    }

    static func listingHash(_ files: [URL]) -> String {
        var h = ContentHash()
        for f in files { h.add(f.path) }
        return h.hex
    }
}

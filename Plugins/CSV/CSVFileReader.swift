import AlmanacCore
import FileConnectorSupport
import Foundation
import RowMapping

#if canImport(Glibc)
    import Glibc
#endif

/// Reads one CSV file record by record and maps each record to an item or a problem.
///
/// Opening checks that the file is finished (`FileSource.stableStamp`) and is text at all:
/// empty (`csv.empty_file`), binary or UTF-16 (`csv.not_csv`), or a header without the mapped
/// columns (`csv.column_missing`) fail the read rather than list nothing.
final class CSVFileReader {
    typealias Next = FileRecord

    let url: URL
    let name: String
    let stamp: FileStamp
    let layout: CSVLayout
    private let settings: CSVSettings
    private let mapper: RowMapper
    // Used on every record by the one caller of `next`: no dynamic exclusivity checks.
    @exclusivity(unchecked) private var scanner: CSVScanner
    private let activeColumns: [Int]
    private let activeFields: [StandardField]
    private let width: Int
    @exclusivity(unchecked) private(set) var valid = 0
    @exclusivity(unchecked) private(set) var problems = 0
    private(set) var firstProblem: String?
    /// The line where the last record returned starts.
    @exclusivity(unchecked) private(set) var recordLine = 0
    /// The mapped values of the record being read, reused for every record.
    @exclusivity(unchecked) private var row: CSVRowBytes

    /// Opens `url` and reads its header.
    init(url: URL, settings: CSVSettings, source: FileSource, mapper: RowMapper) throws {
        self.url = url
        self.name = url.lastPathComponent
        self.settings = settings
        self.mapper = mapper
        stamp = try source.stableStamp(url)
        scanner = try CSVFileReader.open(url, settings: settings)
        let head = try scanner.peek(1 << 16)
        guard head.count > 0 else {
            throw AlmanacError(
                .csvEmptyFile,
                "\(url.path) is empty (0 bytes): an export being written, or a failed one — nothing is read from it")
        }
        if head.count >= 2 && ((head[0] == 0xFF && head[1] == 0xFE) || (head[0] == 0xFE && head[1] == 0xFF)) {
            throw AlmanacError(.csvNotCSV, "\(url.path) is UTF-16 text: save it as UTF-8 (or windows-1252) CSV")
        }
        if head.contains(0) {
            throw AlmanacError(.csvNotCSV, "\(url.path) is not a CSV file: it contains binary data (NUL bytes)")
        }
        if head.count >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF { scanner.skip(3) }
        if settings.header {
            guard case .fields(let line)? = try scanner.next() else {
                throw AlmanacError(.csvNotCSV, "\(url.path): the first line is not a CSV header")
            }
            var names: [String] = []
            for f in scanner.fields {
                guard let s = scanner.withBytes(f, { settings.encoding.decode($0) }) else {
                    throw AlmanacError(
                        .csvNotCSV,
                        "\(url.path) line \(line): the header is not valid \(settings.encoding.rawValue) — set `encoding`"
                    )
                }
                names.append(s)
            }
            layout = try CSVLayout.header(names, settings: settings, fileName: url.path)
        } else {
            layout = CSVLayout.positional(settings: settings)
        }
        let columnFields = layout.fields
        width = columnFields.count
        let active = columnFields.indices.filter { columnFields[$0] != nil }
        activeColumns = active
        activeFields = active.map { columnFields[$0]! }
        row = CSVRowBytes(width: active.count)
    }

    private static func open(_ url: URL, settings: CSVSettings) throws -> CSVScanner {
        let fd = Glibc.open(url.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw AlmanacError(
                .csvUnreadable, "cannot open \(url.path): \(String(cString: strerror(errno)))",
                cause: SystemError(errno: errno))
        }
        _ = posix_fadvise(fd, 0, 0, Int32(POSIX_FADV_SEQUENTIAL))
        return CSVScanner(fd: fd, delimiter: settings.delimiter, fileName: url.path)
    }

    /// Where the next record starts: a continuation resumes here.
    var position: (offset: Int64, line: Int) { (scanner.offset, scanner.line) }

    /// The next item or problem; nil at the end of the file. Blank lines are skipped.
    /// With `window`, rows that certainly start outside it are skipped unmapped (the engine reads
    /// a job's window in chunks: most rows of a large file are outside each chunk).
    func next(window: TimeWindow? = nil) throws -> Next? {
        var items: [SourceItem] = []
        var problem: ItemProblem?
        guard try next(window: window, into: &items, problem: &problem) else { return nil }
        if let problem { return .problem(problem) }
        return .item(items.removeLast())
    }

    /// `next(window:)` for a listing's page: an item is appended to `items`, a problem put in
    /// `problem` (`FileRecordReader`); false at the end of the file.
    func next(window: TimeWindow?, into items: inout [SourceItem], problem out: inout ItemProblem?) throws -> Bool {
        while let record = try scanner.next() {
            switch record {
            case .malformed(let line, let reason):
                recordLine = line
                out = problem(ItemProblem(key: "\(name) line \(line)", reason: reason))
                return true
            case .fields(let line):
                recordLine = line
                let fields = scanner.fields
                if fields.count == 1 && fields[0].start == fields[0].end { continue }
                if fields.count != width && settings.header {
                    let extraEmpty = fields.count > width && fields[width...].allSatisfy { $0.start == $0.end }
                    if !extraEmpty {
                        out = problem(
                            ItemProblem(
                                key: "\(name) line \(line)",
                                reason:
                                    "\(fields.count) fields where the header has \(width) (an unquoted delimiter or quote inside a value?)"
                            ))
                        return true
                    }
                } else if fields.count < width {
                    out = problem(
                        ItemProblem(
                            key: "\(name) line \(line)",
                            reason: "\(fields.count) fields, but column \(width) is mapped"))
                    return true
                }
                // The mapped columns' bytes, copied once; the mapper makes `String`s only of text.
                switch row.fill(scanner, columns: activeColumns, encoding: settings.encoding) {
                case .empty: continue
                case .values: break
                case .invalid(let c):
                    let column = layout.names.indices.contains(c) ? "\"\(layout.names[c])\"" : "\(c + 1)"
                    out = problem(
                        ItemProblem(
                            key: "\(name) line \(line)", field: layout.fields[c]?.name,
                            reason:
                                "column \(column) is not valid \(settings.encoding.rawValue) (set `encoding`, e.g. windows-1252 for Excel on Windows)"
                        ))
                    return true
                }
                let outcome = row.withRow(fields: activeFields) { values in
                    mapper.map(row: values, window: window, locator: "\(name) line \(line)")
                }
                switch consume outcome {
                case .outside:
                    valid += 1
                    continue
                case .problem(let p):
                    out = problem(p)
                    return true
                case .item(let key, let event):
                    var hash = layout.seed
                    hash.add(scanner.recordBytes)
                    valid += 1
                    items.append(SourceItem(key: key, version: hash.hex, event: event))
                    return true
                }
            }
        }
        return false
    }

    /// The problem for the item last returned, whose key an earlier row (`firstAt`) has.
    func duplicate(key: String, firstAt: String) -> ItemProblem {
        DuplicateKey.problem(key: key, at: "\(name) line \(recordLine)", firstAt: firstAt)
    }

    private func problem(_ p: ItemProblem) -> ItemProblem {
        problems += 1
        if firstProblem == nil { firstProblem = p.description }
        return p
    }
}

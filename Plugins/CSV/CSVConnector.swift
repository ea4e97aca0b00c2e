import AlmanacCore
import FileConnectorSupport
import Foundation
import Logging

/// A CSV file, or a directory of CSV files, as one side of a job.
///
/// `read` lists every row whose start falls in the window, in pages of `pageSize` items, as a
/// complete listing (`coverage: .complete(window)`) with each row's content hash as its version.
/// It throws rather than list nothing when a file is missing, being written, empty, not CSV, or
/// has rows but none readable — so a broken export never looks like "everything was deleted"
/// (see `FileListing`). `write` rewrites the whole file atomically (see `CSVSink`).
public final class CSVConnector: Connector {
    public let capabilities: ConnectorCapabilities
    /// Everything but participants' responses, which a row has no column for.
    public var fields: Set<EventField> { Set(EventField.allCases).subtracting([.responses]) }
    /// Each write rewrites the whole file (see `CSVSink`): the engine sends a run's changes at once.
    public var writesWholeStore: Bool { true }
    let settings: CSVSettings
    private let side: ConnectorContext.Side
    private let listing: FileListing<CSVFileReader>

    init(
        settings: CSVSettings, side: ConnectorContext.Side, capabilities: ConnectorCapabilities, logger: Logger,
        pageSize: Int = 5000, marker: SinkMarker? = nil
    ) {
        self.settings = settings
        self.side = side
        self.capabilities = capabilities
        listing = FileListing(
            prefix: "csv", unit: "rows", settings: settings.common, pageSize: pageSize, fieldCount: 4, marker: marker
        ) { url, source, mapper in
            try CSVFileReader(url: url, settings: settings, source: source, mapper: mapper)
        }
    }

    public func read(_ request: ReadRequest) throws -> ReadPage { try listing.read(request) }

    /// Reads the whole file (or every file of the glob) and keeps `keys` (see `FileListing.lookup`).
    public func lookup(_ keys: [String]) throws -> [SourceItem] { try listing.lookup(keys) }

    public func write(_ changes: [Change]) throws -> [WriteOutcome] {
        let outcomes = try CSVSink(settings: settings, source: listing.source, mapper: listing.mapper).apply(changes)
        listing.recordWrite()
        return outcomes
    }

    public func testConnection() -> ConnectionReport {
        listing.testConnection(side: side) { reader, items, problems in
            let mapped = zip(reader.layout.names, reader.layout.fields).compactMap { n, f in f.map { "\(n)→\($0.name)" }
            }
            return [
                .init(name: "header", ok: true, detail: mapped.prefix(12).joined(separator: ", ")),
                .init(
                    name: "rows", ok: items > 0 || problems == 0,
                    detail: "first \(items + problems) row(s): \(items) readable, \(problems) with problems"
                        + (reader.firstProblem.map { " (first: \($0))" } ?? "")),
            ]
        }
    }
}

extension CSVFileReader: FileRecordReader {
    func nextRecord(window: TimeWindow?) throws -> FileRecord? { try next(window: window) }

    var continuationFields: [String] {
        [String(position.offset), String(position.line), String(valid), String(problems)]
    }
}

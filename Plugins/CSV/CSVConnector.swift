import AlmanacCore
import FileConnectorSupport
import Foundation
import Logging

/// A CSV file, or a directory of CSV files, as one side of a job (see `FileConnector`): a file
/// that is not CSV, or has rows but none readable, fails the read — so a broken export never looks
/// like "everything was deleted". `write` rewrites the whole file atomically (see `CSVSink`).
final class CSVConnector: FileConnector<CSVFileReader> {
    let settings: CSVSettings

    init(
        settings: CSVSettings, side: ConnectorContext.Side, capabilities: ConnectorCapabilities, logger: Logger,
        pageSize: Int = 5000, marker: SinkMarker? = nil
    ) {
        self.settings = settings
        let listing = FileListing<CSVFileReader>(
            prefix: "csv", unit: "rows", settings: settings.common, pageSize: pageSize, fieldCount: 4, marker: marker
        ) { url, source, mapper in
            try CSVFileReader(url: url, settings: settings, source: source, mapper: mapper)
        }
        super.init(
            side: side, capabilities: capabilities, trimsText: false, listing: listing,
            apply: { listing, changes in
                try CSVSink(settings: settings, source: listing.source, mapper: listing.mapper).apply(changes)
            },
            describe: { reader, items, problems in
                let mapped = zip(reader.layout.names, reader.layout.fields).compactMap { n, f in
                    f.map { "\(n)→\($0.name)" }
                }
                return [
                    .init(name: "header", ok: true, detail: mapped.prefix(12).joined(separator: ", ")),
                    .init(
                        name: "rows", ok: items > 0 || problems == 0,
                        detail: "first \(items + problems) row(s): \(items) readable, \(problems) with problems"
                            + (reader.firstProblem.map { " (first: \($0))" } ?? "")),
                ]
            })
    }
}

extension CSVFileReader: FileRecordReader {
    func nextRecord(window: TimeWindow?) throws -> FileRecord? { try next(window: window) }

    var continuationFields: [String] {
        [String(position.offset), String(position.line), String(valid), String(problems)]
    }
}

import AlmanacCore
import FileConnectorSupport
import Foundation
import Logging
import RowMapping

/// A CSV file, or a directory of CSV files, as one side of a job (see `FileConnector`): a file
/// that is not CSV, or has rows but none readable, fails the read. `write` rewrites the whole file
/// atomically (see `CSVSink`).
typealias CSVConnector = FileConnector<CSVSettings>

extension CSVSettings: FileFormat {
    static var prefix: String { "csv" }
    static var unit: String { "rows" }
    static var fieldCount: Int { 4 }
    /// White space is data in a CSV cell (README "Fields").
    static var trimsText: Bool { false }

    func open(_ url: URL, source: FileSource, mapper: RowMapper) throws -> CSVFileReader {
        try CSVFileReader(url: url, settings: self, source: source, mapper: mapper)
    }

    func apply(_ changes: [Change], source: FileSource, mapper: RowMapper) throws -> [WriteOutcome] {
        try CSVSink(settings: self, source: source, mapper: mapper).apply(changes)
    }

    /// The contact columns of the file's header (mapped by `columns` included), or of `columns`
    /// without a header; every other column is a custom field, and new custom columns are added.
    func contactShape(of url: URL, source: FileSource, mapper: RowMapper) throws -> ContactShape? {
        let layout =
            header ? try open(url, source: source, mapper: mapper).layout : CSVLayout.positional(settings: self)
        return ContactColumn.shape(of: layout.fields.compactMap { $0?.name }, custom: true)
    }

    func describe(_ reader: CSVFileReader, items: Int, problems: Int) -> [ConnectionReport.Step] {
        let mapped = zip(reader.layout.names, reader.layout.fields).compactMap { n, f in f.map { "\(n)→\($0.name)" } }
        return [
            .init(name: "header", ok: true, detail: mapped.prefix(12).joined(separator: ", ")),
            .init(
                name: "rows", ok: items > 0 || problems == 0,
                detail: "first \(items + problems) row(s): \(items) readable, \(problems) with problems"
                    + (reader.firstProblem.map { " (first: \($0))" } ?? "")),
        ]
    }
}

extension CSVFileReader: FileRecordReader {
    func nextRecord(window: TimeWindow?) throws -> FileRecord? { try next(window: window) }

    func nextRecord(window: TimeWindow?, into items: inout [SourceItem], problem: inout ItemProblem?) throws -> Bool {
        try next(window: window, into: &items, problem: &problem)
    }

    var continuationFields: [String] {
        [String(position.offset), String(position.line), String(valid), String(problems)]
    }
}

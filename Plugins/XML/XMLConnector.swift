import AlmanacCore
import FileConnectorSupport
import Foundation
import Logging
import RowMapping

/// An XML document, or a directory of them, as one side of a job (see `FileConnector`): a document
/// that is too large, not well-formed, not the expected document, or has items but none readable
/// fails the read. `write` rewrites the whole document atomically (see `XMLSink`).
typealias XMLConnector = FileConnector<XMLSettings>

extension XMLSettings: FileFormat {
    static var prefix: String { "xml" }
    static var unit: String { "items" }
    static var fieldCount: Int { 3 }
    /// Values are read without surrounding white space, and written so (README "Fields").
    static var trimsText: Bool { true }

    func open(_ url: URL, source: FileSource, mapper: RowMapper) throws -> XMLItemReader {
        try XMLItemReader(url: url, settings: self, source: source, mapper: mapper)
    }

    func apply(_ changes: [Change], source: FileSource, mapper: RowMapper) throws -> [WriteOutcome] {
        try XMLSink(settings: self, source: source, mapper: mapper).apply(changes)
    }

    /// The contact fields `fields` maps and those an item of the document carries as an element
    /// or attribute of their name; nil for a document without items. Custom fields: always.
    func contactShape(of url: URL, source: FileSource, mapper: RowMapper) throws -> ContactShape? {
        let reader = try XMLItemReader(url: url, settings: self, source: source)
        var names = Set(fields.map(\.field.name))
        var items = 0
        while let (values, _) = try reader.nextValues() {
            items += 1
            for e in values.extras { names.insert(e.name) }
        }
        return items == 0 ? nil : ContactColumn.shape(of: names, custom: true)
    }

    func describe(_ reader: XMLItemReader, items: Int, problems: Int) -> [ConnectionReport.Step] {
        [
            .init(
                name: "items", ok: items > 0 || problems == 0,
                detail: "first \(items + problems) <\(item.elements.last!.qualified)> item(s): "
                    + "\(items) readable, \(problems) with problems"
                    + (reader.firstProblem.map { " (first: \($0))" } ?? ""))
        ]
    }
}

extension XMLItemReader: FileRecordReader {
    var continuationFields: [String] { [String(itemsSeen), String(valid), String(problems)] }
}

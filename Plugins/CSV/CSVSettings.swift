import AlmanacCore
import FileConnectorSupport
import Foundation
import RowMapping

/// The settings of one `connector = "csv"` connection, parsed and checked (see README.md).
struct CSVSettings: Sendable {
    /// Where the files are, settle time, date formats, zone (shared by the file connectors).
    var common: FileSettings
    var delimiter: UInt8
    var encoding: TextEncoding
    var header: Bool
    /// Standard field (or custom name) → header name, or 1-based column number without a header.
    var columns: [(field: StandardField, column: String)]

    /// Reads the connection table. Throws `config.invalid_value` naming the key.
    init(_ context: ConnectorContext) throws {
        let t = context.connection
        func invalid(_ key: String, _ message: String) -> AlmanacError { FileSettings.invalid(context, key, message) }
        common = try FileSettings(context, defaultGlob: "*.csv")
        guard let d = CSVSettings.delimiter(t.string("delimiter") ?? ",") else {
            throw invalid("delimiter", "must be one ASCII character other than a quote or a line break (or \"tab\")")
        }
        delimiter = d
        guard let e = TextEncoding(rawValue: t.string("encoding") ?? "utf-8") else {
            throw invalid("encoding", "must be utf-8, latin-1 or windows-1252")
        }
        encoding = e
        header = t.bool("header") ?? true
        let table = t.table("columns") ?? ConfigTable()
        columns = try table.keys.map { key in
            guard let v = table.string(key), !v.isEmpty else {
                throw invalid("columns.\(key)", "expected a column name")
            }
            return (StandardField(name: key), v)
        }
        if !header {
            for (field, column) in columns where Int(column).map({ $0 < 1 }) ?? true {
                throw invalid(
                    "columns.\(field.name)", "without a header, columns are numbered from 1, got \"\(column)\"")
            }
            for required in CSVLayout.required(common) where !columns.contains(where: { $0.field == required }) {
                throw invalid("columns", "without a header, columns must give \(required.name) a column number")
            }
        }
    }

    static func delimiter(_ text: String) -> UInt8? {
        if text == "tab" || text == "\\t" { return 0x09 }
        guard text.utf8.count == 1, let b = text.utf8.first, b < 0x80, b != 0x22, b != 0x0A, b != 0x0D else {
            return nil
        }
        return b
    }
}

/// How the columns of one file map to fields: from its header, or from column numbers.
struct CSVLayout {
    /// The field of each column; nil for columns that are ignored (no header name, or unmapped
    /// without a header).
    var fields: [StandardField?]
    /// The header as written (empty without a header).
    var names: [String]
    /// Hash of the header: part of every item's version.
    var seed: ContentHash

    /// Maps a file's header. Throws `csv.column_missing` when a mapped column or a required field
    /// has no column: the file is not the export the profile describes.
    static func header(_ names: [String], settings: CSVSettings, fileName: String) throws -> CSVLayout {
        var fields: [StandardField?] = []
        let mapped = Dictionary(
            settings.columns.map { ($0.column.trimmed.lowercased(), $0.field) },
            uniquingKeysWith: { a, _ in a })
        let mappedFields = Set(settings.columns.map(\.field))
        for name in names {
            let key = name.trimmed
            if key.isEmpty { fields.append(nil); continue }
            if let f = mapped[key.lowercased()] { fields.append(f); continue }
            let standard = StandardField(name: key.lowercased())
            // A contact column, matched case-insensitively as standard fields are.
            let contactColumn = StandardField.custom(key.lowercased())
            if settings.common.contacts != nil, ContactColumn(name: key.lowercased()) != nil,
                !mappedFields.contains(contactColumn) && !fields.contains(contactColumn)
            {
                fields.append(contactColumn)
                continue
            }
            if !standard.isCustom && !mappedFields.contains(standard) && !fields.contains(standard) {
                fields.append(standard)
            } else {
                fields.append(.custom(key))
            }
        }
        let shown = names.prefix(12).map { "\"\($0)\"" }.joined(separator: ", ") + (names.count > 12 ? ", …" : "")
        let hint =
            "check `delimiter` (\(settings.delimiter == 0x09 ? "tab" : String(UnicodeScalar(settings.delimiter))))"
            + ", `encoding` and `columns`"
        for (field, column) in settings.columns where !fields.contains(field) {
            throw AlmanacError(
                .csvColumnMissing,
                "\(fileName): no column \"\(column)\" for \(field.name); the header is \(shown) — \(hint)")
        }
        for required in required(settings.common) where !fields.contains(required) {
            throw AlmanacError(
                .csvColumnMissing,
                "\(fileName): no column for \(required.name); the header is \(shown) — map it with columns = { \(required.name) = \"…\" } or \(hint)"
            )
        }
        return CSVLayout(fields: fields, names: names, seed: seed(names, settings: settings))
    }

    /// The fields every row needs: `external_id` and, for events, `start_time`.
    static func required(_ common: FileSettings) -> [StandardField] {
        common.contacts == nil ? [.externalID, .startTime] : [.externalID]
    }

    /// The hash every item's version starts from: the header, and for contacts the rules that
    /// change what a row reads as (`ContactRules.fingerprintSettings`).
    static func seed(_ names: [String], settings: CSVSettings) -> ContentHash {
        var seed = ContentHash()
        for n in names { seed.add(n) }
        for s in settings.common.contacts?.fingerprintSettings ?? [] { seed.add(s) }
        return seed
    }

    /// Columns by number (`header = false`); `width` is the number of fields of the widest use.
    static func positional(settings: CSVSettings) -> CSVLayout {
        let width = settings.columns.compactMap { Int($0.column) }.max() ?? 0
        var fields = [StandardField?](repeating: nil, count: width)
        for (field, column) in settings.columns { if let i = Int(column) { fields[i - 1] = field } }
        return CSVLayout(fields: fields, names: [], seed: seed([], settings: settings))
    }
}

extension String {
    var trimmed: String { trimmingCharacters(in: .whitespaces) }
}

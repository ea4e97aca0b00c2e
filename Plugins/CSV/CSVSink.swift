import AlmanacCore
import FileConnectorSupport
import Foundation
import RowMapping

#if canImport(Glibc)
    import Glibc
#endif

/// Applies changes to a CSV file by writing a complete new file atomically (temp + fsync +
/// rename): readers of the file see the old version or the new one, never a part.
///
/// - Existing rows keep their order, their columns and their bytes (rows this connector cannot
///   parse are kept verbatim); new rows are appended. Columns are those of the existing header,
///   plus any new field a change needs, appended in a stable order (standard fields, participants,
///   custom fields by name). A new file gets every scalar standard column, then the participant
///   and custom columns in use, in `RowRenderer.columns` order, and CRLF line ends.
/// - `update` replaces the standard fields of the row and the custom fields the event carries;
///   other custom columns keep their values (they belong to whoever produces the file).
/// - `ifVersion` is checked against the row's content hash: a mismatch is a `.conflict`.
/// - Throws (nothing written): `csv.file_busy` when the file changes while it is rewritten,
///   `csv.column_missing` when the existing header lacks the mapped columns, `csv.write_failed`.
struct CSVSink {
    let settings: CSVSettings
    let source: FileSource
    let mapper: RowMapper

    private enum Row {
        case values([String])
        case raw([UInt8])
        case deleted
    }

    func apply(_ changes: [Change]) throws -> [WriteOutcome] {
        let url = settings.common.path
        guard !source.isDirectory else {
            throw AlmanacError(.csvSinkIsDirectory, "\(url.path) is a directory: to write, `path` must name a file")
        }
        var names: [String] = []
        var fields: [StandardField?] = []
        var rows: [Row] = []
        var versions: [String] = []
        var index: [String: Int] = [:]
        var lineEnd: [UInt8] = [0x0D, 0x0A]
        var bom = false
        var stamp: FileStamp?
        if FileManager.default.fileExists(atPath: url.path) {
            stamp = try source.stableStamp(url)
            let fd = open(url.path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw AlmanacError(.csvUnreadable, "cannot open \(url.path)") }
            let scanner = CSVScanner(fd: fd, delimiter: settings.delimiter, fileName: url.path)
            let head = try scanner.peek(3)
            if head.count == 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF { bom = true; scanner.skip(3) }
            var layout = CSVLayout.positional(settings: settings)
            var first = settings.header
            var sawLineEnd = false
            while let record = try scanner.next() {
                if !sawLineEnd {
                    sawLineEnd = true
                    if !scanner.endedWithCR { lineEnd = [0x0A] }
                }
                guard case .fields = record else {
                    rows.append(.raw(Array(scanner.recordBytes)))
                    versions.append("")
                    continue
                }
                let values = scanner.fields.map { f in
                    scanner.withBytes(f) { settings.encoding.decode($0) ?? String(decoding: $0, as: UTF8.self) }
                }
                if first {
                    first = false
                    names = values
                    layout = try CSVLayout.header(values, settings: settings, fileName: url.path)
                    continue
                }
                if values.count == 1 && values[0].isEmpty { continue }
                var hash = layout.seed
                hash.add(scanner.recordBytes)
                if let k = layout.fields.firstIndex(of: .externalID), k < values.count {
                    index[values[k].trimmed] = rows.count
                }
                rows.append(.values(values))
                versions.append(hash.hex)
            }
            fields = layout.fields
        } else if !settings.header {
            fields = CSVLayout.positional(settings: settings).fields
        }

        let renderer = RowRenderer(zone: mapper.zone, formats: settings.common.formats)
        var outcomes: [WriteOutcome?] = []
        var pending: [(row: Int, values: [StandardField: String])] = []
        var touched: [Int: Int] = [:]
        func current(_ row: Int) -> SourceItem? {
            guard case .values(let v) = rows[row] else { return nil }
            let active = fields.indices.filter { fields[$0] != nil && $0 < v.count }
            guard
                case .item(let key, let event) = mapper.map(
                    fields: active.map { fields[$0]! },
                    values: active.map { v[$0] }, locator: "")
            else { return nil }
            return SourceItem(key: key, version: versions[row], event: event)
        }
        for change in changes {
            switch change {
            case .create(let id, let event):
                if let row = index[id] { outcomes.append(.conflict(current: current(row))); continue }
                index[id] = rows.count
                rows.append(.values([]))
                versions.append("")
                pending.append((rows.count - 1, renderer.values(key: id, event: event, contacts: mapper.contacts)))
                touched[rows.count - 1] = outcomes.count
                outcomes.append(nil)
            case .update(let key, let ifVersion, let event):
                guard let row = index[key], case .values = rows[row] else { outcomes.append(.gone); continue }
                if let ifVersion, ifVersion != versions[row] {
                    outcomes.append(.conflict(current: current(row))); continue
                }
                pending.append((row, renderer.values(key: key, event: event, contacts: mapper.contacts)))
                touched[row] = outcomes.count
                outcomes.append(nil)
            case .delete(let key, let ifVersion):
                guard let row = index[key], case .values = rows[row] else { outcomes.append(.gone); continue }
                if let ifVersion, ifVersion != versions[row] {
                    outcomes.append(.conflict(current: current(row))); continue
                }
                rows[row] = .deleted
                index[key] = nil
                outcomes.append(.written(key: key, version: nil))
            case .confirm, .cancel:
                outcomes.append(.failed(retryable: false, reason: "the csv connector has no write-back: use update"))
            }
        }
        guard
            !pending.isEmpty
                || outcomes.contains(where: {
                    if case .written = $0 { return true }; return false
                })
        else { return outcomes.map { $0! } }

        // New columns that changed rows need, in a stable order.
        if settings.header {
            let contacts = mapper.contacts != nil
            let needed = RowRenderer.columns(for: pending.map(\.values), contacts: contacts)
            let base = RowRenderer.baseColumns(contacts: contacts)
            let configured = Dictionary(settings.columns.map { ($0.field, $0.column) }, uniquingKeysWith: { a, _ in a })
            let isNew = names.isEmpty
            for field in needed
            where !fields.contains(field)
                && ((isNew && base.contains(field))
                    || pending.contains(where: { $0.values[field] != nil }))
            {
                fields.append(field)
                names.append(configured[field] ?? field.name)
            }
        }
        for (row, values) in pending {
            var old: [String] = []
            if case .values(let v) = rows[row] { old = v }
            var out = [String](repeating: "", count: max(fields.count, old.count))
            for i in out.indices {
                guard i < fields.count, let f = fields[i] else { out[i] = i < old.count ? old[i] : ""; continue }
                if !RowRenderer.isOverwritten(f, rules: mapper.contacts), values[f] == nil {
                    out[i] = i < old.count ? old[i] : ""
                    continue
                }
                out[i] = values[f] ?? ""
            }
            rows[row] = .values(out)
        }

        // Serialize.
        let file = try AtomicFile(url, prefix: "csv")
        if bom { try file.write([0xEF, 0xBB, 0xBF]) }
        let seed = CSVLayout.seed(settings.header ? names : [], settings: settings)
        if settings.header {
            try file.write(encode(names))
            try file.write(lineEnd)
        }
        for (i, row) in rows.enumerated() {
            switch row {
            case .deleted: continue
            case .raw(let bytes):
                try file.write(bytes)
            case .values(var v):
                if v.count < names.count { v += [String](repeating: "", count: names.count - v.count) }
                let bytes = encode(v)
                try file.write(bytes)
                if let o = touched[i] {
                    var hash = seed
                    bytes.withUnsafeBytes { hash.add($0) }
                    let key = fields.firstIndex(of: .externalID).map { v[$0] } ?? ""
                    outcomes[o] = .written(key: key, version: hash.hex)
                }
            }
            try file.write(lineEnd)
        }
        if let stamp { try source.unchanged(url, since: stamp) }
        try file.commit()
        return outcomes.map { $0! }
    }

    /// One record: values quoted when they hold the delimiter, a quote or a line break.
    private func encode(_ values: [String]) -> [UInt8] {
        var out: [UInt8] = []
        for (i, v) in values.enumerated() {
            if i > 0 { out.append(settings.delimiter) }
            let bytes = settings.encoding.encode(v)
            let needsQuotes =
                bytes.contains { $0 == settings.delimiter || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }
                || (i == 0 && values.count == 1 && bytes.isEmpty)
            if !needsQuotes { out += bytes; continue }
            out.append(0x22)
            for b in bytes {
                if b == 0x22 { out.append(0x22) }
                out.append(b)
            }
            out.append(0x22)
        }
        return out
    }
}

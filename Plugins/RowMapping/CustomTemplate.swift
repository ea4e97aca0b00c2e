/// The custom fields of rows of one shape, made from a template: a dictionary with every custom
/// field of the row's columns (values empty), copied for each row and its values set by index.
/// A row then hashes no key and grows no dictionary: its custom fields cost the copy of the
/// template (one allocation, no hashing) and a store per value. Fields a row lacks are removed
/// by key afterwards (rare: a NULL custom column).
///
/// A class: the mapper takes the template of each row by one reference (a struct of four arrays
/// was retained four times a row, atomic increments all).
final class CustomTemplate: Sendable {
    /// The custom columns in order, their names, and where each name is in `dictionary` (columns
    /// of one name share its place: the last value present wins, as assigning in order would).
    let columns: [Int]
    let names: [String]
    let slots: [Dictionary<String, String>.Index]
    let dictionary: [String: String]
    /// The custom columns as bits (`columnMask`), to find the template of a row.
    let mask: UInt64

    /// The custom columns of a row as bits (columns 0 to 63; a template needs no more).
    static func columnMask(_ column: Int) -> UInt64 { column < 64 ? 1 << UInt64(column) : 0 }

    /// No custom columns.
    static let none = CustomTemplate([], count: 0)

    /// The template of the custom columns of `fields` (the first `count`).
    init(_ fields: [StandardField], count: Int) {
        var columns: [Int] = []
        var names: [String] = []
        var mask: UInt64 = 0
        var dictionary: [String: String] = [:]
        for i in 0..<count {
            guard case .custom(let name) = fields[i] else { continue }
            columns.append(i)
            names.append(name)
            mask |= Self.columnMask(i)
            dictionary[name] = ""
        }
        slots = names.map { dictionary.index(forKey: $0)! }
        self.columns = columns
        self.names = names
        self.mask = mask
        self.dictionary = dictionary
    }

    /// Whether custom column number `k` of a row is column `column` named `name` here.
    @inline(__always)
    func fits(_ k: Int, column: Int, name: String) -> Bool {
        k < columns.count && columns[k] == column && names[k] == name
    }

    /// `custom` without the fields of the columns in `absent` (bit `k`: custom column `k`) that
    /// no column present in the row gives a value under the same name.
    func removing(_ absent: UInt64, from custom: inout [String: String]) {
        for k in 0..<columns.count where absent & (1 << UInt64(k)) != 0 {
            let givenByAnother = (0..<columns.count).contains { j in
                j != k && absent & (1 << UInt64(j)) == 0 && names[j] == names[k]
            }
            if !givenByAnother { custom.removeValue(forKey: names[k]) }
        }
    }
}

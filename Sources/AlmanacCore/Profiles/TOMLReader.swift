import TOMLKit

/// Parses TOML text into a `ConfigTable`, turning syntax errors into a `ConfigIssue` with the
/// line and column.
enum TOMLReader {
    static func parse(_ text: String, file: String) -> Result<ConfigTable, ConfigIssue> {
        do {
            let table = try TOMLTable(string: text)
            return .success(convert(table))
        } catch let error as TOMLParseError {
            let pos = error.source.begin
            return .failure(
                ConfigIssue(
                    file: file, path: "", code: .configSyntax,
                    message: "line \(pos.line), column \(pos.column): \(error.description)"))
        } catch {
            return .failure(ConfigIssue(file: file, path: "", code: .configSyntax, message: "not valid TOML: \(error)"))
        }
    }

    private static func convert(_ table: TOMLTable) -> ConfigTable {
        var out = ConfigTable()
        for (key, value) in table { out[key] = convert(value) }
        return out
    }

    private static func convert(_ value: TOMLValueConvertible) -> ConfigValue {
        switch value.type {
        case .table: return .table(convert(value.table!))
        case .array: return .array(value.array!.map { convert($0) })
        case .string: return .string(value.string!)
        case .int: return .integer(value.int!)
        case .double: return .float(value.double!)
        case .bool: return .bool(value.bool!)
        case .date, .time, .dateTime: return .dateTime(value.debugDescription)
        }
    }
}

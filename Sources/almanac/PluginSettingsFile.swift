import AlmanacCore
import Foundation

/// The connection settings `almanac connector-test --settings FILE` hands a plugin: a TOML file
/// (the keys of a `[connections.NAME]` table) or a JSON object. Secrets as in a profile:
/// `KEY_file`, `KEY_env`, or inline `KEY`.
enum PluginSettingsFile {
    /// Reads `path` (`.json`: JSON, anything else: TOML).
    /// - Throws: `PluginSettingsFile.Unusable` saying what is wrong with the file.
    static func load(_ path: String) throws -> ConfigTable {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Unusable(message: "cannot read the settings file \(path)")
        }
        if path.hasSuffix(".json") {
            do {
                guard case .table(let table) = try JSONDecoder().decode(JSONSetting.self, from: data).value else {
                    throw Unusable(message: "\(path): the settings must be a JSON object")
                }
                return table
            } catch let e as Unusable {
                throw e
            } catch {
                throw Unusable(message: "\(path) is not valid JSON: \(error.localizedDescription)")
            }
        }
        switch ConfigTable.parse(toml: String(decoding: data, as: UTF8.self), file: path) {
        case .success(let table): return table
        case .failure(let issue): throw Unusable(message: issue.description)
        }
    }

    struct Unusable: Error {
        var message: String
    }

    /// The keys of `settings` that neither `spec` names (as a setting or a secret's `_file`/`_env`
    /// form) nor almanac reads itself (`almanac`), and the required settings missing, as messages.
    static func mismatches(_ settings: ConfigTable, spec: [SettingSpec], almanac: [SettingSpec]) -> [String] {
        var known = Set(almanac.map(\.key))
        for s in spec {
            if case .secret = s.kind { known.formUnion(Secrets.keys(for: s.key)) } else { known.insert(s.key) }
        }
        var out = settings.keys.filter { !known.contains($0) }.map {
            "\($0): the plugin's spec has no such setting"
        }
        for s in spec where s.required {
            let forms = { if case .secret = s.kind { Secrets.keys(for: s.key) } else { [s.key] } }()
            if !forms.contains(where: { settings[$0] != nil }) { out.append("\(s.key): required by the plugin's spec") }
        }
        return out
    }
}

/// A JSON value as a `ConfigValue` (booleans, integers and numbers kept apart).
private struct JSONSetting: Decodable {
    var value: ConfigValue

    init(from decoder: any Decoder) throws {
        if var array = try? decoder.unkeyedContainer() {
            var values: [ConfigValue] = []
            while !array.isAtEnd { values.append(try array.decode(JSONSetting.self).value) }
            value = .array(values)
        } else if let object = try? decoder.container(keyedBy: AnyKey.self) {
            var table = ConfigTable()
            for key in object.allKeys {
                table[key.stringValue] = try object.decode(JSONSetting.self, forKey: key).value
            }
            value = .table(table)
        } else {
            let single = try decoder.singleValueContainer()
            if let b = try? single.decode(Bool.self) {
                value = .bool(b)
            } else if let i = try? single.decode(Int.self) {
                value = .integer(i)
            } else if let d = try? single.decode(Double.self) {
                value = .float(d)
            } else {
                value = .string(try single.decode(String.self))
            }
        }
    }

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}

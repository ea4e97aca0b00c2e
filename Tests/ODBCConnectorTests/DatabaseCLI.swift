import Foundation
import Testing

/// Runs a query through a database's own command-line client and returns the rows it prints,
/// every value as text (nil for NULL), in column order. Each client is asked for an output format
/// that keeps every byte of a value: `sqlite3 -json`, `psql --csv` (NULL printed as a marker) and
/// `mariadb --batch` (tab-separated, with `\0 \t \n \r \\` escapes).
enum DatabaseCLI {
    /// What `psql` prints for NULL; no generated value spells it.
    static let nullMarker = "<<NULL>>"

    static func sqlite(_ path: String, _ query: String, columns: [String]) throws -> [[String?]] {
        let out = try run("sqlite3", ["-json", path, query])
        if out.isEmpty { return [] }
        guard let objects = try JSONSerialization.jsonObject(with: out) as? [[String: Any]] else {
            throw CLIError(message: "sqlite3 -json printed no array")
        }
        return objects.map { object in
            columns.map { name in
                switch object[name] {
                case let s as String: return s
                case let n as NSNumber: return n.stringValue
                default: return nil
                }
            }
        }
    }

    static func postgres(_ env: [String: String], _ query: String) throws -> [[String?]] {
        let out = try run(
            "psql",
            [
                "-X", "-q", "-h", env["ALMANAC_TEST_PG_HOST"] ?? "127.0.0.1", "-p", env["ALMANAC_TEST_PG_PORT"] ?? "",
                "-U", env["ALMANAC_TEST_PG_USER"] ?? "", "-d", env["ALMANAC_TEST_PG_DB"] ?? "", "--csv",
                "-P", "null=\(nullMarker)", "-c", query,
            ],
            environment: ["PGPASSWORD": env["ALMANAC_TEST_PG_PASSWORD"] ?? ""])
        let records = csv(String(decoding: out, as: UTF8.self))
        return records.dropFirst().map { $0.map { $0 == nullMarker ? nil : $0 } }
    }

    static func mariadb(_ env: [String: String], _ query: String) throws -> [[String?]] {
        let out = try run(
            "mariadb",
            [
                "--no-defaults", "-h", env["ALMANAC_TEST_MARIADB_HOST"] ?? "127.0.0.1",
                "-P", env["ALMANAC_TEST_MARIADB_PORT"] ?? "", "-u", env["ALMANAC_TEST_MARIADB_USER"] ?? "",
                "--default-character-set=utf8mb4", "--batch", "--skip-column-names",
                env["ALMANAC_TEST_MARIADB_DB"] ?? "", "-e", query,
            ],
            environment: ["MYSQL_PWD": env["ALMANAC_TEST_MARIADB_PASSWORD"] ?? ""])
        var rows: [[String?]] = []
        for line in out.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).dropLast() {
            rows.append(
                line.split(separator: UInt8(ascii: "\t"), omittingEmptySubsequences: false).map { field in
                    field.elementsEqual("NULL".utf8) ? nil : unescapeBatch(field)
                })
        }
        return rows
    }

    /// `mariadb --batch` escapes: `\0`, `\t`, `\n`, `\r`, `\\`.
    static func unescapeBatch(_ field: some Collection<UInt8>) -> String {
        var bytes: [UInt8] = []
        var escaped = false
        for b in field {
            if escaped {
                switch b {
                case UInt8(ascii: "0"): bytes.append(0)
                case UInt8(ascii: "t"): bytes.append(9)
                case UInt8(ascii: "n"): bytes.append(10)
                case UInt8(ascii: "r"): bytes.append(13)
                default: bytes.append(b)
                }
                escaped = false
            } else if b == UInt8(ascii: "\\") {
                escaped = true
            } else {
                bytes.append(b)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// RFC 4180 records: quoted fields may hold commas, quotes (doubled) and line breaks.
    static func csv(_ text: String) -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var field = String.UnicodeScalarView()
        var quoted = false
        var scalars = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        while let c = pending ?? scalars.next() {
            pending = nil
            if quoted {
                if c == "\"" {
                    let next = scalars.next()
                    if next == "\"" { field.append("\"") } else { quoted = false; pending = next }
                } else {
                    field.append(c)
                }
            } else if c == "\"" {
                quoted = true
            } else if c == "," {
                record.append(String(field))
                field = String.UnicodeScalarView()
            } else if c == "\n" {
                record.append(String(field))
                records.append(record)
                record = []
                field = String.UnicodeScalarView()
            } else {
                field.append(c)
            }
        }
        return records
    }

    struct CLIError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    /// Runs `tool` (found on PATH) and returns its standard output; throws when it fails.
    static func run(_ tool: String, _ arguments: [String], environment: [String: String] = [:]) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe()
        // Standard error goes to a file, so a client filling it never blocks on us.
        let errorFile = FileManager.default.temporaryDirectory.appendingPathComponent("cli-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errorFile) }
        process.standardOutput = out
        process.standardError = try FileHandle(forWritingTo: errorFile)
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let errors = (try? Data(contentsOf: errorFile)) ?? Data()
        guard process.terminationStatus == 0 else {
            throw CLIError(
                message: "\(tool) exited \(process.terminationStatus): \(String(decoding: errors, as: UTF8.self))")
        }
        return data
    }
}

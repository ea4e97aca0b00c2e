import AlmanacCore
import Foundation
import Testing

/// The error catalogue (`ErrorCode.swift`) is the one list of codes: every code is declared there
/// with its meaning, the README lists exactly those codes, and no product file makes its own.
@Suite("Error catalogue", .timeLimit(.minutes(10)))
struct ErrorCatalogueTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let cataloguePath = "Sources/AlmanacCore/Errors/ErrorCode.swift"

    /// `(constant, code)` in declaration order, each with whether a `///` line documents it.
    static func declared() throws -> [(name: String, code: String, documented: Bool)] {
        let text = try String(contentsOf: root.appendingPathComponent(cataloguePath), encoding: .utf8)
        let lines = text.components(separatedBy: "\n")
        let pattern = try NSRegularExpression(pattern: #"^\s*public static let (\w+) = ErrorCode\("([^"]*)"\)\s*$"#)
        var out: [(String, String, Bool)] = []
        for (i, line) in lines.enumerated() {
            let ns = line as NSString
            guard let m = pattern.firstMatch(in: line, range: NSRange(location: 0, length: ns.length)) else { continue }
            let documented = i > 0 && lines[i - 1].trimmingCharacters(in: .whitespaces).hasPrefix("/// ")
            out.append((ns.substring(with: m.range(at: 1)), ns.substring(with: m.range(at: 2)), documented))
        }
        return out
    }

    /// The codes of the list under the README's `### Error codes` heading (its first `- ` line to
    /// the next heading).
    static func readmeCodes() throws -> [String] {
        let text = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        guard let start = text.range(of: "\n### Error codes\n") else { return [] }
        var rest = text[start.upperBound...]
        rest = rest[(rest.range(of: "\n- ")?.lowerBound ?? rest.endIndex)...]
        let section = rest[..<(rest.range(of: "\n#")?.lowerBound ?? rest.endIndex)]
        let pattern = try NSRegularExpression(pattern: #"`([a-z]+\.[a-z_]+)`"#)
        let s = String(section) as NSString
        return pattern.matches(in: String(section), range: NSRange(location: 0, length: s.length))
            .map { s.substring(with: $0.range(at: 1)) }
    }

    @Test func everyCodeIsDocumentedUniqueAndWellFormed() throws {
        let codes = try Self.declared()
        #expect(codes.count >= 100)
        #expect(Set(codes.map(\.code)).count == codes.count, "a code is declared twice")
        #expect(Set(codes.map(\.name)).count == codes.count)
        for c in codes {
            #expect(c.documented, "\(c.name) has no one-line meaning (///) above it")
            #expect(c.code.wholeMatch(of: /[a-z]+\.[a-z][a-z_]*/) != nil, "\(c.code) is not area.snake_case")
        }
    }

    /// Grouped by area: once another area starts, an earlier one does not come back.
    @Test func codesAreGroupedByArea() throws {
        var seen: [String] = []
        for c in try Self.declared() {
            let area = String(c.code.prefix { $0 != "." })
            if seen.last != area {
                #expect(!seen.contains(area), "\(c.code) is declared away from the other \(area).* codes")
                seen.append(area)
            }
        }
    }

    @Test func theConstantsAreTheCodesTheFileDeclares() throws {
        // A sample through the public API: the strings stay what logs and JSON already carry.
        #expect(ErrorCode.configSyntax.rawValue == "config.syntax")
        #expect(ErrorCode.csvFileBusy.description == "csv.file_busy")
        #expect(ErrorCode.syncMassDeleteBlocked == ErrorCode.syncMassDeleteBlocked)
        #expect(ErrorCode.odbcTimeout != ErrorCode.httpTimeout)
        let decoded = try JSONDecoder().decode([ErrorCode].self, from: Data(#"["odbc.timeout","x.new"]"#.utf8))
        #expect(decoded.first == .odbcTimeout)
        #expect(decoded.last?.rawValue == "x.new", "a code from a newer almanac still decodes")
        let encoded = try JSONEncoder().encode(ErrorCode.apiUnauthorized)
        #expect(String(decoding: encoded, as: UTF8.self) == #""api.unauthorized""#)
    }

    @Test func theReadmeListsExactlyTheDeclaredCodes() throws {
        let declared = Set(try Self.declared().map(\.code))
        let listed = try Self.readmeCodes()
        #expect(!listed.isEmpty, "README.md has no ### Error codes section")
        #expect(Set(listed).count == listed.count, "README.md lists a code twice")
        let missing = declared.subtracting(listed).sorted()
        let unknown = Set(listed).subtracting(declared).sorted()
        #expect(missing.isEmpty, "declared in \(Self.cataloguePath) but not in README.md: \(missing)")
        #expect(unknown.isEmpty, "in README.md but not declared in \(Self.cataloguePath): \(unknown)")
    }

    /// No product file builds a code of its own: no `ErrorCode(…)` outside the catalogue, no code
    /// written as a string literal, no comparison of a code's `rawValue` (compare constants).
    @Test func noSourceFileMakesOrComparesCodesOutsideTheCatalogue() throws {
        let codes = Set(try Self.declared().map(\.code))
        let areas = Set(codes.map { String($0.prefix { $0 != "." }) })
        let literal = try NSRegularExpression(pattern: #""([a-z]+\.[a-z_]+)""#)
        let comparison = try NSRegularExpression(
            pattern: #"rawValue\s*[=!]=|[=!]=\s*[\w.?]*\.rawValue\b"#)
        var offences: [String] = []
        for folder in ["Sources", "Plugins"] {
            let base = Self.root.appendingPathComponent(folder)
            let files = FileManager.default.enumerator(atPath: base.path)?.compactMap { $0 as? String } ?? []
            for file in files where file.hasSuffix(".swift") && "\(folder)/\(file)" != Self.cataloguePath {
                let text = try String(contentsOf: base.appendingPathComponent(file), encoding: .utf8)
                for (n, line) in text.components(separatedBy: "\n").enumerated() {
                    let code = line.trimmingCharacters(in: .whitespaces)
                    if code.hasPrefix("//") { continue }
                    let place = "\(folder)/\(file):\(n + 1)"
                    if code.contains("ErrorCode(") { offences.append("\(place): builds an ErrorCode") }
                    let ns = code as NSString
                    let range = NSRange(location: 0, length: ns.length)
                    if comparison.firstMatch(in: code, range: range) != nil && code.lowercased().contains("code") {
                        offences.append("\(place): compares a code's rawValue")
                    }
                    for m in literal.matches(in: code, range: range) {
                        let word = ns.substring(with: m.range(at: 1))
                        if areas.contains(String(word.prefix { $0 != "." })) {
                            offences.append("\(place): the code \(word) written as a string")
                        }
                    }
                }
            }
        }
        #expect(offences.isEmpty, "\(offences.joined(separator: "\n"))")
    }
}

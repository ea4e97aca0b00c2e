import AlmanacCore

/// One step of an element path: a local name and, when the step has a prefix, the namespace URI
/// the prefix stands for. An unprefixed step matches its local name in any namespace (documents
/// with a default namespace then need no `namespaces` table).
struct XMLName: Hashable, Sendable, CustomStringConvertible {
    var local: String
    var namespace: String?
    /// As written in the profile (`a:Appointment`), for messages and for writing.
    var qualified: String

    var description: String { qualified }
}

/// A path of the mapping: `/Appointments/Appointment` (absolute, the item) or `Subject`,
/// `Client/Name`, `@id`, `Client/@id` (relative to the item).
struct XMLPath: Hashable, Sendable, CustomStringConvertible {
    var elements: [XMLName]
    /// The attribute at the end of the path, if it names one.
    var attribute: XMLName?
    var text: String

    var description: String { text }

    /// Parses `text`; `namespaces` maps prefixes to URIs. Throws a message for the profile.
    init(_ text: String, namespaces: [String: String], absolute: Bool) throws(XMLPathError) {
        self.text = text
        var body = Substring(text.trimmingCharacters(in: .whitespaces))
        if absolute {
            guard body.hasPrefix("/") else { throw XMLPathError("\"\(text)\" must start with \"/\"") }
            body = body.dropFirst()
        } else if body.hasPrefix("/") {
            throw XMLPathError("\"\(text)\" must be relative to the item (no leading \"/\")")
        } else if body.hasPrefix("./") {
            body = body.dropFirst(2)
        }
        let parts = body.split(separator: "/", omittingEmptySubsequences: false)
        guard !parts.isEmpty, !body.isEmpty else { throw XMLPathError("\"\(text)\" is empty") }
        elements = []
        attribute = nil
        for (i, part) in parts.enumerated() {
            if part.hasPrefix("@") {
                guard i == parts.count - 1, !absolute else {
                    throw XMLPathError("\"\(text)\": an attribute (@…) can only end a field path")
                }
                attribute = try XMLPath.name(part.dropFirst(), namespaces, text)
            } else {
                elements.append(try XMLPath.name(part, namespaces, text))
            }
        }
    }

    private static func name(_ part: Substring, _ namespaces: [String: String], _ text: String) throws(XMLPathError)
        -> XMLName
    {
        guard !part.isEmpty, !part.contains("["), !part.contains("*"), !part.contains(" ") else {
            throw XMLPathError(
                "\"\(text)\": \"\(part)\" is not an element or attribute name (paths are plain names separated by /)")
        }
        let pieces = part.split(separator: ":", maxSplits: 1)
        if pieces.count == 2 {
            let prefix = String(pieces[0])
            guard let uri = namespaces[prefix] else {
                throw XMLPathError("\"\(text)\": the prefix \"\(prefix)\" is not declared in `namespaces`")
            }
            return XMLName(local: String(pieces[1]), namespace: uri, qualified: String(part))
        }
        return XMLName(local: String(part), namespace: nil, qualified: String(part))
    }
}

struct XMLPathError: Error, Sendable {
    var message: String
    init(_ message: String) { self.message = message }
}

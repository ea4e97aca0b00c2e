import AlmanacTestKit
import Foundation

/// The document of the tests' own stores (`XMLConformanceTests.Store`, `XMLContactsStore`),
/// written by hand, independently of the connector: items as text under one root element, the
/// whole document rewritten at each seed.
class TestXMLDocument: @unchecked Sendable {  // used from one test's thread only
    let scratch: Scratch
    let name: String
    let root: String
    var items: [String] = []
    var counter = 0
    var url: URL { scratch.url.appendingPathComponent(name) }

    init(label: String, name: String, root: String) {
        scratch = Scratch(label: label)
        self.name = name
        self.root = root
        write()
    }

    func write() {
        scratch.file(name, "<?xml version=\"1.0\"?>\n<\(root)>\n" + items.joined() + "</\(root)>\n")
    }

    /// Appends the item `item` makes of each value and its key (`seed-N`), then rewrites the
    /// document; returns the keys in order.
    func seed<T>(_ values: [T], _ item: (String, T) throws -> String) throws -> [String] {
        let keys = try values.map { v in
            counter += 1
            let key = "seed-\(counter)"
            items.append(try item(key, v))
            return key
        }
        write()
        return keys
    }

    static func esc(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: "\"", with: "&quot;")
    }
}

import CLibXML2
import Foundation

/// Collects what libxml2 reports through a structured error handler, so that libxml2 prints
/// nothing itself and errors carry their line and column.
final class XMLErrors {
    struct Entry {
        var line: Int
        var column: Int
        var message: String
        var fatal: Bool
    }

    private(set) var entries: [Entry] = []

    var firstFatal: Entry? { entries.first { $0.fatal } ?? entries.first }

    func add(_ e: xmlError) {
        guard entries.count < 100 else { return }
        let message = e.message.map { String(cString: $0) }?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "error"
        entries.append(
            Entry(
                line: Int(e.line), column: Int(e.int2), message: message,
                fatal: e.level.rawValue >= XML_ERR_ERROR.rawValue))
    }

    /// The C callback: `context` is an unretained `XMLErrors`.
    static let handler: xmlStructuredErrorFunc = { context, error in
        guard let context, let error else { return }
        Unmanaged<XMLErrors>.fromOpaque(context).takeUnretainedValue().add(error.pointee)
    }
}

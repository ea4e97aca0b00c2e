import AlmanacCore
import Foundation
import Logging

/// A fresh directory under the system temp dir, removed by the caller with `cleanup()`.
struct Scratch {
    let url: URL

    init() {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("almanac-csv-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    @discardableResult
    func file(_ name: String, _ text: String) -> URL { file(name, Array(text.utf8)) }

    @discardableResult
    func file(_ name: String, _ bytes: [UInt8]) -> URL {
        let u = url.appendingPathComponent(name)
        _ = FileManager.default.createFile(atPath: u.path, contents: Data(bytes))
        // Make it look settled: an hour old.
        try! FileManager.default.setAttributes(
            [.modificationDate: Date().addingTimeInterval(-3600)], ofItemAtPath: u.path)
        return u
    }

    func cleanup() { try? FileManager.default.removeItem(at: url) }
}

let chicago = TimeZone(identifier: "America/Chicago")!

func context(_ connection: [String: ConfigValue], side: ConnectorContext.Side = .from, dir: URL) -> ConnectorContext {
    var entries = connection
    if entries["settle"] == nil { entries["settle"] = .string("0s") }
    return ConnectorContext(
        profile: "clinic", job: "appointments", side: side, connectionName: "export",
        connection: ConfigTable(entries), jobSettings: ConfigTable(), timeZone: chicago,
        stateDirectory: dir, profileDirectory: dir, logger: Logger(label: "test"))
}

let wideWindow = TimeWindow(start: Date(timeIntervalSince1970: 0), end: Date(timeIntervalSince1970: 4_102_444_800))

/// Every page of a listing, as one page (and the number of pages it took).
func readAll(_ c: any Connector, window: TimeWindow = wideWindow) throws -> (ReadPage, Int) {
    var all = ReadPage(items: [], coverage: .complete(window))
    var request = ReadRequest(window: window)
    var pages = 0
    while true {
        let page = try c.read(request)
        pages += 1
        all.items += page.items
        all.problems += page.problems
        all.coverage = page.coverage
        guard let next = page.continuation else { break }
        request.continuation = next
    }
    return (all, pages)
}

/// The instant of an ISO 8601 string with offset.
func instant(_ s: String) -> Date {
    let f = ISO8601DateFormatter()
    return f.date(from: s)!
}

/// The code of the `AlmanacError` `body` throws, or nil.
func errorCode(_ body: () throws -> Void) -> (String?, String) {
    do {
        try body()
        return (nil, "")
    } catch let e as AlmanacError {
        return (e.code.rawValue, e.message)
    } catch {
        return ("other", "\(error)")
    }
}

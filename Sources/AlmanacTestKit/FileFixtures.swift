import AlmanacCore
import Foundation
import Logging

/// A fresh directory under the system temp dir for file-connector tests, removed by the caller
/// with `cleanup()`. Files it writes look settled (an hour old), so "still being written" checks
/// pass.
public struct Scratch {
    public let url: URL

    public init(label: String = "files") {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("almanac-\(label)-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    @discardableResult
    public func file(_ name: String, _ text: String) -> URL { file(name, Array(text.utf8)) }

    @discardableResult
    public func file(_ name: String, _ bytes: [UInt8]) -> URL {
        let u = url.appendingPathComponent(name)
        _ = FileManager.default.createFile(atPath: u.path, contents: Data(bytes))
        try! FileManager.default.setAttributes(
            [.modificationDate: Date().addingTimeInterval(-3600)], ofItemAtPath: u.path)
        return u
    }

    public func cleanup() { try? FileManager.default.removeItem(at: url) }
}

/// The context a file connector gets for `connection` (profile "clinic", job "appointments",
/// zone America/Chicago, `settle = "0s"` unless given), with `dir` as state and profile directory.
public func fileConnectorContext(_ connection: [String: ConfigValue], side: ConnectorContext.Side = .from, dir: URL)
    -> ConnectorContext
{
    var entries = connection
    if entries["settle"] == nil { entries["settle"] = .string("0s") }
    return ConnectorContext(
        profile: "clinic", job: "appointments", side: side, connectionName: "export",
        connection: ConfigTable(entries), jobSettings: ConfigTable(),
        timeZone: TimeZone(identifier: "America/Chicago")!,
        stateDirectory: dir, profileDirectory: dir, logger: Logger(label: "test"))
}

/// 1970 to 2100: a window that holds every fixture.
public let wideWindow = TimeWindow(
    start: Date(timeIntervalSince1970: 0), end: Date(timeIntervalSince1970: 4_102_444_800))

/// Every page of a listing, as one page (and the number of pages it took).
public func readAll(_ c: any Connector, window: TimeWindow = wideWindow) throws -> (ReadPage, Int) {
    let l = try c.readListing(ReadRequest(window: window))
    return (ReadPage(items: l.items, problems: l.problems, coverage: l.coverage ?? .complete(window)), l.pages)
}

/// The instant of an ISO 8601 string with offset.
public func instant(_ s: String) -> Date { ISO8601DateFormatter().date(from: s)! }

/// The code and message of the `AlmanacError` `body` throws; `(nil, "")` when it does not throw.
public func errorCode(_ body: () throws -> Void) -> (String?, String) {
    do {
        try body()
        return (nil, "")
    } catch let e as AlmanacError {
        return (e.code.rawValue, e.message)
    } catch {
        return ("other", "\(error)")
    }
}

import AlmanacCore
import Foundation

extension ExecConnector {
    static let readReplies: Set<String> = ["item", "problem", "deleted", "page_end"]

    public func read(_ request: ReadRequest) throws -> ReadPage {
        var sink = ItemCollector()
        var page = try read(request, into: &sink)
        page.items = sink.items
        return page
    }

    /// One `read` request; its `item` lines go to `sink` as they arrive.
    public func read<Sink: ItemSink>(_ request: ReadRequest, into sink: inout Sink) throws -> ReadPage {
        if request.continuation == nil {
            listedKeys.removeAll(keepingCapacity: true)
            listedCount = 0
        }
        let window = JSONObject([
            "start": .string(RFC3339.string(request.window.start)), "end": .string(RFC3339.string(request.window.end)),
        ])
        try process.send(
            "read",
            JSONObject([
                "window": .object(window), "cursor": request.cursor.map(JSONValue.string) ?? .null,
                "continuation": request.continuation.map(JSONValue.string) ?? .null,
                "since": request.since.map { .string(RFC3339.string($0)) } ?? .null,
            ]))
        var page = ReadPage(items: [], coverage: .complete(request.window))
        while true {
            let (type, line) = try process.reply(allowed: Self.readReplies)
            switch type {
            case "item":
                listedCount += 1
                switch try item(line) {
                case .success(let i):
                    if let first = listedKeys[i.key] {
                        page.problems.append(
                            DuplicateKey.problem(key: i.key, at: "item \(listedCount)", firstAt: "item \(first)"))
                    } else {
                        listedKeys[i.key] = listedCount
                        sink.take(i)
                    }
                case .failure(let p): page.problems.append(p)
                }
            case "problem":
                guard let key = line.string("key"), let reason = line.string("reason") else {
                    throw process.protocolViolation("a problem without key or reason", line: line)
                }
                page.problems.append(ItemProblem(key: key, field: line.string("field"), reason: reason))
            case "deleted":
                guard let key = line.string("key"), !key.isEmpty else {
                    throw process.protocolViolation("a deleted line without a key", line: line)
                }
                page.deleted.append(key)
            default:
                switch line.string("coverage") {
                case "complete": page.coverage = .complete(request.window)
                case "delta" where request.cursor != nil: page.coverage = .delta
                default:
                    throw process.protocolViolation(
                        "a page_end whose coverage is not complete, or delta for a read without cursor", line: line)
                }
                if !page.deleted.isEmpty, case .complete = page.coverage {
                    throw process.protocolViolation("deleted lines in a complete listing", line: line)
                }
                page.continuation = line.string("continuation")
                page.cursor = line.string("cursor")
                try process.finish()
                return page
            }
        }
    }

    /// The items the plugin returns for `keys`. One it returns that cannot be read fails the
    /// lookup (`exec.plugin_error`): left out, it would be confirmed absent, and its copy on the
    /// other side deleted.
    public func lookup(_ keys: [String]) throws -> [SourceItem] {
        let (found, problems) = try items(
            "lookup", JSONObject(["keys": .array(keys.map(JSONValue.string))]), end: "lookup_end")
        if let p = problems.first {
            throw AlmanacError(
                .execPluginError,
                "\(p.reason) (key \(p.key)\(problems.count > 1 ? " and \(problems.count - 1) more" : "")): "
                    + "an item that cannot be read is not taken for absent")
        }
        return found
    }
}

import AlmanacCore
import Foundation

extension ExecConnector {
    /// One `write` request; exactly one `outcome` per change, in order, is read back.
    public func write(_ changes: [Change]) throws -> [WriteOutcome] {
        try process.send("write", JSONObject(["changes": .array(changes.map(Self.json))]))
        var out: [WriteOutcome] = []
        out.reserveCapacity(changes.count)
        while out.count < changes.count {
            let line = try process.reply(allowed: ["outcome"]).line
            guard line["index"]?.int == out.count else {
                throw process.protocolViolation("an outcome out of order (expected index \(out.count))", line: line)
            }
            switch line.string("result") {
            case "written":
                guard let key = line.string("key"), !key.isEmpty else {
                    throw process.protocolViolation("a written outcome without key", line: line)
                }
                out.append(.written(key: key, version: line.string("version")))
            case "conflict":
                var current: SourceItem?
                if let c = line["current"]?.object, case .success(let i)? = try? item(c) { current = i }
                out.append(.conflict(current: current))
            case "gone": out.append(.gone)
            case "failed":
                out.append(
                    .failed(
                        retryable: line["retryable"]?.bool ?? false,
                        reason: "plugin \(process.label): \(line.string("reason") ?? "no reason given")"))
            default: throw process.protocolViolation("an outcome with an unknown result", line: line)
            }
        }
        try process.finish()
        return out
    }

    static func json(_ change: Change) -> JSONValue {
        switch change {
        case .create(let id, let event):
            return .object(JSONObject(["op": "create", "id": .string(id), "event": EventJSON.json(event)]))
        case .update(let key, let ifVersion, let event):
            return .object(
                JSONObject([
                    "op": "update", "key": .string(key), "if_version": ifVersion.map(JSONValue.string) ?? .null,
                    "event": EventJSON.json(event),
                ]))
        case .delete(let key, let ifVersion):
            return .object(
                JSONObject([
                    "op": "delete", "key": .string(key), "if_version": ifVersion.map(JSONValue.string) ?? .null,
                ]))
        case .confirm(let key, let event):
            return .object(JSONObject(["op": "confirm", "key": .string(key), "event": EventJSON.json(event)]))
        case .cancel(let key, let event):
            return .object(JSONObject(["op": "cancel", "key": .string(key), "event": EventJSON.json(event)]))
        }
    }
}

extension JSONValue: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
}

import AlmanacCore
import Foundation

extension ExecConnector {
    /// One `write` request per run of changes that fits in a protocol line (16 MiB); exactly one
    /// `outcome` per change, in order, is read back. A change too large for a line on its own is
    /// not sent: it fails (not retryable). When a later request throws, the earlier ones did
    /// happen, which the contract allows: after a throw the engine trusts nothing of the batch.
    public func write(_ changes: [Change]) throws -> [WriteOutcome] {
        let room = PluginCommand.maxLineLength - 64
        var out: [WriteOutcome] = []
        out.reserveCapacity(changes.count)
        var batch: [JSONValue] = []
        var size = 0
        for change in changes {
            let value = Self.json(change, kind: itemKind)
            var bytes: [UInt8] = []
            value.write(to: &bytes)
            if bytes.count + 1 > room {
                out += try send(batch)
                (batch, size) = ([], 0)
                out.append(
                    .failed(
                        retryable: false,
                        reason: "the change is \(bytes.count >> 20) MiB as JSON, over the protocol's 16 MiB line"))
                continue
            }
            if size + bytes.count + 1 > room {
                out += try send(batch)
                (batch, size) = ([], 0)
            }
            batch.append(value)
            size += bytes.count + 1
        }
        out += try send(batch)
        return out
    }

    /// One `write` request of `changes` and its outcomes.
    private func send(_ changes: [JSONValue]) throws -> [WriteOutcome] {
        guard !changes.isEmpty else { return [] }
        try process.send("write", JSONObject(["changes": .array(changes)]))
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

    /// A change as the protocol's JSON, its item under `event`, or `contact` for contacts.
    static func json(_ change: Change, kind: ItemKind) -> JSONValue {
        var o: JSONObject
        switch change {
        case .create(let id, let event):
            o = JSONObject(["op": "create", "id": .string(id)])
            o[kind.member] = kind.json(event)
        case .update(let key, let ifVersion, let event):
            o = JSONObject([
                "op": "update", "key": .string(key), "if_version": ifVersion.map(JSONValue.string) ?? .null,
            ])
            o[kind.member] = kind.json(event)
        case .delete(let key, let ifVersion):
            o = JSONObject([
                "op": "delete", "key": .string(key), "if_version": ifVersion.map(JSONValue.string) ?? .null,
            ])
        case .confirm(let key, let event):
            o = JSONObject(["op": "confirm", "key": .string(key), "event": EventJSON.json(event)])
        case .cancel(let key, let event):
            o = JSONObject(["op": "cancel", "key": .string(key), "event": EventJSON.json(event)])
        }
        return .object(o)
    }
}

extension JSONValue: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
}

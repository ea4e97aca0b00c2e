import AlmanacCore
import AlmanacWire
import Foundation

/// The checks every control-API request body and path name goes through: strict JSON, unknown
/// fields refused by name, names validated as profile (or template) names, so that no name can
/// reach the file system as a path (`..`, `a/b`, `%2e%2e` are refused).
enum StrictBody {
    /// nil when `body` is empty or `{}`; otherwise 400 `api.bad_request` naming what is wrong.
    static func empty(_ body: [UInt8]) -> HTTPResponse? {
        do {
            _ = try JSONValue.object(body, allowed: [])
            return nil
        } catch {
            return refuse(error.description)
        }
    }

    /// The body of `POST /v1/profiles/NAME/sync` (empty: the defaults).
    static func sync(_ body: [UInt8]) -> Result<SyncRequest, JSONValue.BodyError> {
        let allowed: Set<String> = ["job", "since", "full", "dry_run", "allow_mass_delete", "wait"]
        do throws(JSONValue.BodyError) {
            let object = try JSONValue.object(body, allowed: allowed)
            if case .string(let job)? = object["job"],
                !(1...64).contains(job.count)
                    || !job.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") })
            {
                throw JSONValue.BodyError(
                    "job: not a job name (letters, digits, '_' and '-'), got \(JSONValue.quoted(job))")
            }
            for (key, value) in object {
                switch (key, value) {
                case ("job", .string), ("since", .string): continue
                case ("full", .bool), ("dry_run", .bool), ("allow_mass_delete", .bool), ("wait", .bool): continue
                default:
                    let expected = key == "job" || key == "since" ? "a string" : "true or false"
                    throw JSONValue.BodyError("\(key): expected \(expected), got \(value.typeName)")
                }
            }
            if case .string(let since)? = object["since"], (try? Date(since, strategy: .iso8601)) == nil {
                throw JSONValue.BodyError(
                    "since: expected an RFC 3339 time like 2026-12-03T05:00:00Z, got \(JSONValue.quoted(since))")
            }
            if object.isEmpty { return .success(SyncRequest()) }
            guard let request = try? Wire.decoder().decode(SyncRequest.self, from: Data(body)) else {
                throw JSONValue.BodyError("the body is not a sync request")
            }
            return .success(request)
        } catch {
            return .failure(error)
        }
    }

    private static func refuse(_ message: String) -> HTTPResponse {
        var body = Array("{\"ok\":false,\"code\":\"\(ErrorCode.apiBadRequest)\",\"message\":".utf8)
        JSONString.append(message, to: &body)
        body.append(UInt8(ascii: "}"))
        return .json(400, body)
    }
}

extension Supervisor {
    /// 400 when `name`, a path segment of `/v1/profiles/NAME…` or `/v1/templates/NAME`, is not a
    /// valid name (it is never used as a path then).
    func badName(_ name: String, template: Bool) -> HTTPResponse? {
        let valid = template ? ProfileTemplate.isValidName(name) : ProfileFile.isValidName(name)
        if valid { return nil }
        let rule =
            template
            ? "template names use letters, digits, '-' and '_'" : "profile names are 1 to 64 letters and digits"
        var body = Array("{\"ok\":false,\"code\":\"\(ErrorCode.apiBadRequest)\",\"message\":".utf8)
        JSONString.append("not a valid name: \(rule), got \(JSONValue.quoted(name))", to: &body)
        body.append(UInt8(ascii: "}"))
        return .json(400, body)
    }
}

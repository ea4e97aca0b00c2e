import AlmanacSupervisor
import AlmanacWire
import Foundation

/// The quota governor's part of `almanac status` (README "Quota governor"): `GET /v1/quota`.
enum StatusQuota {
    /// The daemon's buckets as the API's body, nil when it does not answer them (an older daemon).
    static func fetch(_ c: ControlClient) -> [UInt8]? {
        guard let r = try? c.request("GET", "/v1/quota"), r.status == 200 else { return nil }
        return r.body
    }

    /// `{"v":1,"profiles":[…]}` with `"quota":{"buckets":[…]}` added as its last field.
    static func joined(profiles: [UInt8], quota: [UInt8]?) -> [UInt8] {
        guard let quota, let close = profiles.lastIndex(of: UInt8(ascii: "}")) else { return profiles }
        return Array(profiles[..<close]) + Array(#","quota":"#.utf8) + trimmed(quota) + [UInt8(ascii: "}")]
    }

    /// One line per bucket below the profiles' table; nothing when no key has been asked for.
    static func printTable(_ body: [UInt8]?) {
        guard let body, let status = try? Wire.decoder().decode(QuotaStatus.self, from: Data(body)),
            !status.buckets.isEmpty
        else { return }
        print("")
        var rows = [["QUOTA KEY", "RATE/MIN", "NOW/MIN", "TOKENS", "GRANTED", "WAITS", "429S"]]
        for b in status.buckets {
            rows.append([
                b.key, number(b.ratePerMinute), number(b.currentPerMinute), number(b.tokens, places: 1),
                String(b.granted), String(b.waits), String(b.rateLimited),
            ])
        }
        printColumns(rows)
    }

    /// `600`, `12.5`: whole numbers without a fraction, others with up to `places` decimals.
    static func number(_ v: Double, places: Int = 2) -> String {
        if v == v.rounded() && abs(v) < 1e15 { return String(Int(v)) }
        return String(format: "%.\(places)f", v)
    }

    private static func trimmed(_ bytes: [UInt8]) -> [UInt8] {
        var b = bytes[...]
        while let last = b.last, last == 0x0A || last == 0x0D || last == 0x20 { b = b.dropLast() }
        return Array(b)
    }
}

import Foundation

/// One bucket kind's limit: `rate` requests per minute, at most `burst` at once.
public struct QuotaRate: Sendable, Hashable, CustomStringConvertible {
    /// Requests per minute (the unit of every `rate` in `almanac.toml`).
    public var perMinute: Double
    /// The bucket's size: requests that may go out at once after a quiet spell.
    public var burst: Int
    /// Seconds a granted request may take to reach the provider (`lag` in `almanac.toml`): the
    /// governor counts each grant against the minute's quota for 60 s + `lag`, so that requests
    /// granted early in a window and arriving late cannot crowd one provider minute.
    public var lag: Double

    /// `lag` when `almanac.toml` does not set it: on the project's 2-core machine, 1,000 runs falling
    /// due at once delayed the first requests up to about 2 s after their grants (the supervisor
    /// bench's herd); 5 s leaves room above that.
    public static let defaultLag = 5.0

    public init(perMinute: Double, burst: Int, lag: Double = QuotaRate.defaultLag) {
        self.perMinute = perMinute
        self.burst = burst
        self.lag = lag
    }

    public var description: String {
        let r = perMinute == perMinute.rounded() ? String(Int(perMinute)) : String(perMinute)
        return "\(r)/min burst \(burst)"
    }
}

/// The `[quota.KIND]` tables of the daemon's `almanac.toml` (README "Quota governor"), over the
/// providers' published defaults.
///
/// A quota key is `KIND:REST` (`google:CLIENT_ID`, `google_user:CLIENT_ID:ACCOUNT`,
/// `cronofy:CLIENT_ID`); its bucket takes the rate of `KIND`. Keys of a kind with no rate here
/// (a connector with no published limit) are not governed.
public struct QuotaConfig: Sendable, Hashable {
    public var rates: [String: QuotaRate]

    /// The defaults, from the providers' published limits:
    /// - `google`: Google Calendar API, 10,000 requests/min per project;
    /// - `google_user`: Google Calendar API, 600 requests/min per user per project;
    /// - `cronofy`: Cronofy, 500 requests/min per application (bursts of 50/s);
    /// - `google_contacts`: People API, 600/min per project (almanac's conservative choice: the
    ///   published default was not found; set it from the project's Quotas page).
    public static let defaults = QuotaConfig(rates: [
        "google": QuotaRate(perMinute: 10_000, burst: 500),
        "google_user": QuotaRate(perMinute: 600, burst: 50),
        "cronofy": QuotaRate(perMinute: 500, burst: 50),
        "google_contacts": QuotaRate(perMinute: 600, burst: 50),
    ])

    public init(rates: [String: QuotaRate]) { self.rates = rates }

    /// The bucket kind of a key: what comes before its first `:`.
    public static func kind(ofKey key: String) -> Substring {
        key.prefix { $0 != ":" }
    }

    /// The limit of `key`'s kind, nil when that kind is not governed.
    public func rate(forKey key: String) -> QuotaRate? { rates[String(Self.kind(ofKey: key))] }

    /// Each rate divided by `shards` (`--shard K/N`: each of the N daemons governs `rate / N`;
    /// the burst too, at least 1).
    public func divided(by shards: Int) -> QuotaConfig {
        guard shards > 1 else { return self }
        return QuotaConfig(
            rates: rates.mapValues {
                QuotaRate(perMinute: $0.perMinute / Double(shards), burst: max(1, $0.burst / shards), lag: $0.lag)
            })
    }

    /// `almanac.toml` beside the profiles directory (its parent's `almanac.toml`).
    public static func defaultPath(besideProfiles profiles: String) -> String {
        let parent = (profiles as NSString).deletingLastPathComponent
        return parent.isEmpty ? "almanac.toml" : parent + "/almanac.toml"
    }

    /// Reads `path`. A missing file gives the defaults; `[quota.KIND]` tables replace or add to
    /// them (a table may set `rate`, `burst` or both).
    ///
    /// - Throws: `AlmanacError(.configSyntax)` for TOML that does not parse,
    ///   `AlmanacError(.configUnknownKey)` for a key or table almanac does not know, and
    ///   `AlmanacError(.configInvalidValue)` for a value of the wrong type or range; each names
    ///   the file and the key.
    public static func load(path: String) throws -> QuotaConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            if FileManager.default.fileExists(atPath: path) {
                throw AlmanacError(.configUnreadable, "\(path): cannot be read")
            }
            return defaults
        }
        let table: ConfigTable
        switch TOMLReader.parse(String(decoding: data, as: UTF8.self), file: path) {
        case .failure(let issue): throw AlmanacError(.configSyntax, "\(path): \(issue.message)")
        case .success(let t): table = t
        }
        return try parse(table, file: path)
    }

    /// The settings of a parsed `almanac.toml`; see `load(path:)`.
    public static func parse(_ table: ConfigTable, file: String) throws -> QuotaConfig {
        for key in table.keys where key != "quota" {
            throw AlmanacError(
                .configUnknownKey, "\(file): unknown key \"\(key)\" (almanac.toml has [quota.KIND] tables)")
        }
        var config = defaults
        guard let value = table["quota"] else { return config }
        guard case .table(let quota) = value else {
            throw AlmanacError(.configInvalidValue, "\(file): quota must be a table of [quota.KIND] tables")
        }
        for kind in quota.keys {
            guard case .table(let t)? = quota[kind] else {
                throw AlmanacError(.configInvalidValue, "\(file): quota.\(kind) must be a table (rate, burst, lag)")
            }
            guard kind.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }), !kind.isEmpty else {
                throw AlmanacError(.configInvalidValue, "\(file): quota.\(kind): a kind is letters, digits, _ and -")
            }
            for key in t.keys where !["rate", "burst", "lag"].contains(key) {
                throw AlmanacError(.configUnknownKey, "\(file): unknown key quota.\(kind).\(key) (rate, burst, lag)")
            }
            func number(_ v: ConfigValue) -> Double? {
                switch v {
                case .integer(let i): return Double(i)
                case .float(let d): return d
                default: return nil
                }
            }
            var rate = config.rates[kind]
            if let v = t["rate"] {
                guard let perMinute = number(v) else {
                    throw AlmanacError(
                        .configType, "\(file): quota.\(kind).rate must be a number (requests per minute)")
                }
                guard perMinute > 0, perMinute <= 100_000_000, perMinute.isFinite else {
                    throw AlmanacError(
                        .configInvalidValue,
                        "\(file): quota.\(kind).rate must be above 0 and at most 100000000 (requests per minute)")
                }
                rate = QuotaRate(
                    perMinute: perMinute, burst: rate?.burst ?? max(1, Int(perMinute / 60)),
                    lag: rate?.lag ?? QuotaRate.defaultLag)
            }
            if rate == nil, t["burst"] != nil || t["lag"] != nil {
                throw AlmanacError(
                    .configInvalidValue, "\(file): quota.\(kind) has no default rate: set quota.\(kind).rate")
            }
            if let v = t["burst"] {
                guard case .integer(let b) = v, (1...1_000_000).contains(b) else {
                    throw AlmanacError(
                        .configInvalidValue, "\(file): quota.\(kind).burst must be an integer from 1 to 1000000")
                }
                rate?.burst = b
            }
            if let v = t["lag"] {
                guard let lag = number(v), lag >= 0, lag <= 60 else {
                    throw AlmanacError(
                        .configInvalidValue, "\(file): quota.\(kind).lag must be a number of seconds from 0 to 60")
                }
                rate?.lag = lag
            }
            guard let rate else {
                throw AlmanacError(.configInvalidValue, "\(file): quota.\(kind) needs a rate (requests per minute)")
            }
            config.rates[kind] = rate
        }
        return config
    }
}

import Foundation

/// `GET /v1/quota`: the quota governor's buckets (README "Quota governor").
public struct QuotaStatus: Codable, Sendable, Hashable {
    public struct Bucket: Codable, Sendable, Hashable {
        /// `KIND:…`, as the connections' `quota_key` and `quota_user` make it.
        public var key: String
        /// The configured rate (requests per minute, after `--shard` division) and burst.
        public var ratePerMinute: Double
        public var burst: Int
        /// The rate now: lower than `rate_per_minute` while it recovers from a 429.
        public var currentPerMinute: Double
        /// Tokens in the bucket now (negative: a batch took it into debt).
        public var tokens: Double
        /// Requests granted (a batch counts its calls) and asks granted.
        public var granted: Int
        public var grants: Int
        /// Asks that waited for tokens, and their total wait.
        public var waits: Int
        public var waitMS: Int
        /// Asks waiting now.
        public var waiting: Int
        /// 429s and rate-limit 403s the workers reported.
        public var rateLimited: Int
        /// Milliseconds until a `Retry-After` lets the key go again (absent: none pending).
        public var blockedMS: Int?

        enum CodingKeys: String, CodingKey {
            case key, burst, tokens, granted, grants, waits, waiting
            case ratePerMinute = "rate_per_minute", currentPerMinute = "current_per_minute"
            case waitMS = "wait_ms", rateLimited = "rate_limited", blockedMS = "blocked_ms"
        }

        public init(
            key: String, ratePerMinute: Double, burst: Int, currentPerMinute: Double, tokens: Double, granted: Int,
            grants: Int, waits: Int, waitMS: Int, waiting: Int, rateLimited: Int, blockedMS: Int?
        ) {
            self.key = key
            self.ratePerMinute = ratePerMinute
            self.burst = burst
            self.currentPerMinute = currentPerMinute
            self.tokens = tokens
            self.granted = granted
            self.grants = grants
            self.waits = waits
            self.waitMS = waitMS
            self.waiting = waiting
            self.rateLimited = rateLimited
            self.blockedMS = blockedMS
        }
    }

    public var buckets: [Bucket]

    public init(buckets: [Bucket]) { self.buckets = buckets }
}

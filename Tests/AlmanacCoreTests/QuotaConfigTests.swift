import AlmanacCore
import Foundation
import Testing

/// `almanac.toml`'s `[quota.KIND]` tables (README "Quota governor").
@Suite(.timeLimit(.minutes(10)))
struct QuotaConfigTests {
    func load(_ text: String?) throws -> QuotaConfig {
        let path = NSTemporaryDirectory() + "almanac-quota-\(UUID().uuidString).toml"
        if let text { try text.write(toFile: path, atomically: true, encoding: .utf8) }
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try QuotaConfig.load(path: path)
    }

    func message(_ text: String) -> String {
        do {
            _ = try load(text)
            return "no error"
        } catch let e as AlmanacError {
            return "\(e.code.rawValue): \(e.message.split(separator: ": ", maxSplits: 1).last ?? "")"
        } catch {
            return "\(error)"
        }
    }

    @Test func aMissingFileGivesThePublishedDefaults() throws {
        let c = try load(nil)
        #expect(c == .defaults)
        #expect(c.rate(forKey: "google:client")?.perMinute == 10_000)
        #expect(c.rate(forKey: "google_user:client:me")?.perMinute == 600)
        #expect(c.rate(forKey: "cronofy:app")?.perMinute == 500)
        #expect(c.rate(forKey: "cronofy:app")?.burst == 50)
        #expect(c.rate(forKey: "csv:x") == nil)
    }

    @Test func tablesOverrideAndAdd() throws {
        let c = try load(
            "[quota.google]\nrate = 120\nburst = 3\n[quota.cronofy]\nburst = 10\n[quota.custom]\nrate = 30.5\n")
        #expect(c.rates["google"] == QuotaRate(perMinute: 120, burst: 3))
        #expect(c.rates["cronofy"] == QuotaRate(perMinute: 500, burst: 10))
        #expect(c.rates["custom"] == QuotaRate(perMinute: 30.5, burst: 1))
        #expect(c.divided(by: 4).rates["google"] == QuotaRate(perMinute: 30, burst: 1))
        #expect(c.rates["google"]?.lag == 5, "the default lag")
    }

    @Test func aTableSetsItsLag() throws {
        let c = try load("[quota.google]\nlag = 0\n[quota.cronofy]\nlag = 7.5\nrate = 100\n")
        #expect(c.rates["google"] == QuotaRate(perMinute: 10_000, burst: 500, lag: 0))
        #expect(c.rates["cronofy"] == QuotaRate(perMinute: 100, burst: 50, lag: 7.5))
        #expect(c.divided(by: 2).rates["cronofy"]?.lag == 7.5, "a shard keeps the lag")
        for lag in ["-1", "61", "\"2s\""] {
            #expect(
                message("[quota.google]\nlag = \(lag)\n")
                    == "config.invalid_value: quota.google.lag must be a number of seconds from 0 to 60")
        }
        #expect(message("[quota.new]\nlag = 1\n").hasPrefix("config.invalid_value: quota.new has no default rate"))
    }

    @Test func errorsNameTheKey() {
        #expect(
            message("rate = 1\n") == "config.unknown_key: unknown key \"rate\" (almanac.toml has [quota.KIND] tables)")
        #expect(
            message("[quota.google]\nrte = 1\n")
                == "config.unknown_key: unknown key quota.google.rte (rate, burst, lag)")
        #expect(
            message("[quota.google]\nrate = \"fast\"\n").hasPrefix("config.type: quota.google.rate must be a number"))
        let rateRange = "quota.google.rate must be above 0 and at most 100000000 (requests per minute)"
        for rate in ["0", "-5", "100000001"] {
            #expect(message("[quota.google]\nrate = \(rate)\n") == "config.invalid_value: \(rateRange)")
        }
        for burst in ["0", "1000001", "2.5"] {
            #expect(
                message("[quota.google]\nburst = \(burst)\n")
                    == "config.invalid_value: quota.google.burst must be an integer from 1 to 1000000")
        }
        #expect(message("[quota.new]\nburst = 5\n").hasPrefix("config.invalid_value: quota.new has no default rate"))
        #expect(message("[quota\n").hasPrefix("config.syntax"))
    }
}

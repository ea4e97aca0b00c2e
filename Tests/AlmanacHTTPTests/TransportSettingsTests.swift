import AlmanacCore
import AlmanacHTTP
import Testing

@Suite("Transport settings of API connections")
struct TransportSettingsTests {
    @Test func readsEverySettingWithCoreDurations() {
        let c = ConfigTable([
            "max_concurrent": .integer(8), "timeout": .string("1h30m"), "ca_file": .string("/etc/ssl/extra.pem"),
            "request_budget": .integer(500),
        ])
        let t = TransportOptions(connection: c)
        #expect(t.maxConcurrent == 8)
        #expect(t.timeout == 5_400)
        #expect(t.caFile == "/etc/ssl/extra.pem")
        #expect(TransportOptions.requestBudget(c) == 500)
    }

    @Test func defaultsWhenUnset() {
        let t = TransportOptions(connection: ConfigTable())
        #expect(t.maxConcurrent == 4 && t.timeout == 60 && t.caFile == nil)
        #expect(t.quotaKey == nil && t.quotaUser == nil)
        #expect(TransportOptions.requestBudget(ConfigTable()) == nil)
        #expect(
            TransportOptions.settingSpecs.map(\.key) == [
                "max_concurrent", "request_budget", "timeout", "quota_key", "ca_file",
            ])
        #expect(TransportOptions.quotaUserSpec.key == "quota_user")
    }
}

/// Which HTTP failures a later run may get past with nothing changed (retried soon by the worker).
@Suite struct HTTPRetryableTests {
    static let failures: [(Int, String, Bool)] = [
        (7, "http.transport", true), (28, "http.timeout", true), (56, "http.transport", true),
        (60, "http.tls", false), (35, "http.tls", false),
    ]

    @Test(arguments: failures)
    func transportFailures(curlCode: Int, code: String, retryable: Bool) {
        let e = AlmanacHTTPError.transport(host: "127.0.0.1", curlCode: curlCode, detail: "x")
        #expect(e.code.rawValue == code)
        #expect(e.retryable == retryable)
    }

    @Test func statusesStillFailingAfterTheClientsRetries() {
        #expect([429, 500, 502, 503, 504].allSatisfy(AlmanacHTTPError.isTransient(status:)))
        #expect(![400, 401, 403, 404, 409, 410, 412].contains(where: AlmanacHTTPError.isTransient(status:)))
    }
}

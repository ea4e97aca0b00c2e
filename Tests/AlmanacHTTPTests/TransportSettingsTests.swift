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
        #expect(TransportOptions.requestBudget(ConfigTable()) == nil)
        #expect(TransportOptions.settingSpecs.map(\.key) == ["max_concurrent", "request_budget", "timeout", "ca_file"])
    }
}

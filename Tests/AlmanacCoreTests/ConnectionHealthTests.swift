import AlmanacCore
import Foundation
import Testing

@Suite(.timeLimit(.minutes(10)))
struct ConnectionHealthTests {
    static let t0 = Date(timeIntervalSince1970: 1_900_000_000)

    @Test func aConnectionThatKeepsFailingKeepsItsFirstFailuresTime() {
        let first = ConnectionHealth.observe(
            nil, name: "db", state: .failing, at: Self.t0, errorCode: "odbc.connect_failed", error: "refused")
        let again = ConnectionHealth.observe(
            first, name: "db", state: .failing, at: Self.t0.addingTimeInterval(60), errorCode: "odbc.timeout",
            error: "slow")
        #expect(again.since == Self.t0)
        #expect(again.checked == Self.t0.addingTimeInterval(60))
        #expect(again.errorCode == "odbc.timeout")
        let ok = ConnectionHealth.observe(again, name: "db", state: .ok, at: Self.t0.addingTimeInterval(120))
        #expect(ok.since == Self.t0.addingTimeInterval(120))
        #expect(ok.error == nil && ok.errorCode == nil)
    }

    @Test(arguments: [
        ("odbc.connect_failed", "odbc", true), ("odbc.connect_failed", "csv", false),
        ("oauth.reconnect_required", "google", true), ("http.timeout", "cronofy", true),
        ("http.timeout", "odbc", false), ("sync.mass_delete_blocked", "csv", false), ("csv.no_files", "csv", true),
    ])
    func anErrorBlamesTheConnectionsOfItsConnector(code: String, connector: String, blamed: Bool) {
        #expect(ConnectionHealth.blames(errorCode: code, connector: connector) == blamed)
    }

    @Test func anInvalidGrantIsReconnectRequired() {
        #expect(
            ConnectionHealth.failureState(errorCode: "oauth.reconnect_required", message: nil) == .reconnectRequired)
        #expect(
            ConnectionHealth.failureState(errorCode: nil, message: "token: reconnect required: x") == .reconnectRequired
        )
        #expect(ConnectionHealth.failureState(errorCode: "odbc.timeout", message: "slow") == .failing)
    }
}

/// `[history] retention`: how long the run history keeps a run.
@Suite(.timeLimit(.minutes(10)))
struct HistoryRetentionTests {
    @Test func defaultsToNinetyDays() throws {
        let p = try #require(profile(validProfile))
        #expect(p.historyRetention == .seconds(90 * 86_400))
    }

    @Test func isSetInTheHistoryTable() throws {
        let p = try #require(profile(validProfile + "\n[history]\nretention = \"30d\"\n"))
        #expect(p.historyRetention == .seconds(30 * 86_400))
    }

    @Test(arguments: [
        ("retention = \"1h\"", "config.invalid_value history.retention"),
        ("retention = 30", "config.type history.retention"),
        ("keep = \"30d\"", "config.unknown_key history.keep"),
    ])
    func badValuesNameTheKey(line: String, expected: String) {
        #expect(issues(validProfile + "\n[history]\n\(line)\n").codesAndPaths == [expected])
    }
}

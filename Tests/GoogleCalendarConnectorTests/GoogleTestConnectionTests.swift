import AlmanacCore
import FakeCalendars
import Foundation
import GoogleCalendarConnector
import Testing

@Suite("google test-connection steps", .serialized, .timeLimit(.minutes(10)))
struct GoogleTestConnectionTests {
    @Test func authorizedAndReadableIsTwoPassingSteps() throws {
        let h = try GoogleHarness()
        let report = h.connector.testConnection()
        #expect(report.steps.map(\.name) == ["authorize", "calendar"])
        #expect(report.ok)
        #expect(report.steps[0].detail == "access token obtained from \(h.server.tokenURL)")
        #expect(report.steps[1].detail == "calendar \"primary\" is readable")
    }

    @Test func aRevokedRefreshTokenStopsAtAuthorizeSayingReconnect() throws {
        let h = try GoogleHarness()
        h.server.auth.revoke(refreshToken: h.refreshToken)
        let report = h.connector.testConnection()
        #expect(report.steps.map(\.name) == ["authorize"])
        #expect(!report.ok)
        #expect(report.steps[0].detail.hasPrefix("reconnect required: "))
        #expect(!report.steps[0].detail.contains(h.refreshToken))
        #expect(!report.steps[0].detail.contains("s3cret-value"))
    }
}

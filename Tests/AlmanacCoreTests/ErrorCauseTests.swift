import AlmanacTestKit
import Foundation
import Testing

@testable import AlmanacCore

/// A lower-level error as drivers and libraries give them: text the almanac did not write.
private struct DriverError: Error, CustomStringConvertible {
    var description: String
}

@Suite("Error causes", .timeLimit(.minutes(10)))
struct ErrorCauseTests {
    @Test func theChainListsEveryLinkOutermostFirst() {
        let driver = DriverError(description: "[08001] could not connect to server: Connection refused")
        let inner = AlmanacError(.odbcConnectFailed, "connection \"db\": cannot reach the server", cause: driver)
        let outer = AlmanacError(.stateOpenFailed, "cannot open the state: \(inner.message)", cause: inner)
        #expect(
            outer.causeChain == [
                "odbc.connect_failed: connection \"db\": cannot reach the server",
                "[08001] could not connect to server: Connection refused",
            ])
        #expect(
            outer.renderedCause
                == "odbc.connect_failed: connection \"db\": cannot reach the server"
                + " <- [08001] could not connect to server: Connection refused")
        // Putting an error in context (same code, its message quoted) adds no link.
        let context = AlmanacError(.odbcConnectFailed, "reading the from side of job j: \(inner.message)", cause: inner)
        #expect(context.causeChain == ["[08001] could not connect to server: Connection refused"])
        #expect(AlmanacError(.syncFailed, "x").causeChain == [])
        #expect(AlmanacError(.syncFailed, "x").renderedCause == nil)
    }

    /// The text form adds what the causes say beyond the message, once.
    @Test func theDescriptionDoesNotRepeatWhatTheMessageQuotes() {
        let driver = DriverError(description: "[HYT00] timeout expired")
        let timeout = AlmanacError(.odbcTimeout, "connection \"db\": read_query did not finish", cause: driver)
        #expect(timeout.description == "connection \"db\": read_query did not finish ([HYT00] timeout expired)")
        let quoted = AlmanacError(.odbcQueryFailed, "connection \"db\": read_query failed: \(driver)", cause: driver)
        #expect(quoted.description == "connection \"db\": read_query failed: [HYT00] timeout expired")
        let rewrapped = AlmanacError(.odbcTimeout, "reading the to side of job j: \(timeout.message)", cause: timeout)
        #expect(
            rewrapped.description
                == "reading the to side of job j: connection \"db\": read_query did not finish"
                + " ([HYT00] timeout expired)")
        #expect(AlmanacError(.syncFailed, "plain").description == "plain")
    }

    static let secrets = [
        "s3cr3t-pw", "hunter2;x", "ya29.a0AfH6SMBx", "1//0gLx-refresh", "GOCSPX-clientsecret", "abc.def.ghi",
        "dXNlcjpwYXNz", "k3y-v4lue",
    ]

    /// Causes come from drivers, servers and libraries, which may echo what they were given:
    /// nothing that looks like a credential survives into a rendered cause.
    @Test(arguments: [
        "[28P01] connection failed for DRIVER={PostgreSQL Unicode};SERVER=db;UID=almanac;PWD=s3cr3t-pw;DATABASE=x",
        "[IM002] Driver={MariaDB};Server=db;User=almanac;Password={hunter2;x};Port=3306",
        "401 Unauthorized: request had Authorization: Bearer ya29.a0AfH6SMBx",
        #"{"access_token": "ya29.a0AfH6SMBx", "refresh_token":"1//0gLx-refresh","token_type":"Bearer"}"#,
        "POST /token grant_type=refresh_token&refresh_token=1//0gLx-refresh&client_secret=GOCSPX-clientsecret",
        "proxy said: proxy-authorization: Basic dXNlcjpwYXNz",
        "sent header Bearer abc.def.ghi to the server",
        "api_key=k3y-v4lue rejected",
    ])
    func noSecretInARenderedCause(text: String) throws {
        let driver = DriverError(description: text)
        let inner = AlmanacError(.odbcLoginRefused, "connection \"db\": the database refused the login", cause: driver)
        let error = AlmanacError(.odbcLoginRefused, "reading the from side of job j: \(inner.message)", cause: inner)
        var report = RunReport(
            runID: "r", profile: "p", job: "j", trigger: .manual, dryRun: false, started: Date(), finished: Date(),
            result: .failed, errorCode: error.code.rawValue, error: error.description)
        report.cause = error.causeChain
        let json = String(decoding: try JSONEncoder().encode(report), as: UTF8.self)
        let rendered = [error.description, error.renderedCause ?? "", json] + error.causeChain
        for secret in Self.secrets {
            for r in rendered { #expect(!r.contains(secret), "\(secret) appears in \(r)") }
        }
        #expect(error.causeChain.count == 1)
        #expect(error.causeChain[0].contains("***"))
        #expect(json.contains(#""cause":["#))
    }

    @Test func redactionKeepsWhatIsNotASecret() {
        let text = "[08001] could not connect to server \"db.example\" port 5432: Connection refused"
        #expect(SecretRedaction.redact(text) == text)
        let connection = "SERVER=db;UID=almanac;PWD=x1;DATABASE=d"
        #expect(SecretRedaction.redact(connection) == "SERVER=db;UID=almanac;PWD=***;DATABASE=d")
        #expect(SecretRedaction.redact("password_file = /etc/secret") == "password_file = /etc/secret")
    }

    /// The keyword check in front of the rules changes nothing: seeded random texts of keywords in
    /// any case, separators, values, words and letters that fold onto ASCII ones, redacted with and
    /// without it, give the same text.
    @Test func redactionSkipsTheRulesOnlyWhereNoneCouldMatch() {
        let pieces = [
            "authorization", "Proxy-Authorization", "BEARER", "bearer", "Basic", "access_token", "refresh_TOKEN",
            "client_secret", "Password", "passwd", "PWD", "api_key", "apikey", "APIKEY", "code_verifier", "token",
            "tok", "secre", "pass", "word", "ſecret", "paſſword", "api_Key", "toKen", "é", "→", "x1", "dXNlcjpwdw==",
            "abc.def~", "{a;b}", "\"", "\\", ":", "=", " = ", " ", ";", "&", ",", "'", "}", "\n", "\r\n", "\t", "/",
            "--profile", "/work/state/p1.toml", "worker",
        ]
        var random = SeededRandom(state: 20)
        var skipped = 0, redacted = 0
        for i in 0..<20_000 {
            let text = (0..<(1 + random.below(12))).map { _ in pieces[random.below(pieces.count)] }.joined()
            let expected = SecretRedaction.redactByRules(text)
            #expect(SecretRedaction.redact(text) == expected, "text \(i): \(text)")
            if !SecretRedaction.mayHoldASecret(text) { skipped += 1 }
            if expected != text { redacted += 1 }
        }
        #expect(skipped > 1_000 && redacted > 1_000, "both paths taken: \(skipped) skipped, \(redacted) redacted")
    }
}

import AlmanacCore
import Foundation
import Testing

@Suite("Secrets in profiles")
struct SecretValidationTests {
    static let secretValue = "s3cr3t-Value-42"

    @Test func inlineSecretInAWorldReadableFileIsAnError() {
        let text = variant("dsn = \"clinic\"", "dsn = \"clinic\"\npassword = \"\(Self.secretValue)\"")
        let found = issues(text, mode: 0o644)
        #expect(found.codesAndPaths == ["config.inline_secret connections.db.password"])
        #expect(!found.description.contains(Self.secretValue))
        #expect(issues(text, mode: 0o640).codesAndPaths == ["config.inline_secret connections.db.password"])
        #expect(issues(text, mode: 0o600).isEmpty)
    }

    @Test func secretFileMustExist() {
        let dir = ProfileDir()
        let found = issues(variant("dsn = \"clinic\"", "dsn = \"clinic\"\npassword_file = \"secrets/db\""), dir: dir)
        #expect(found.codesAndPaths == ["config.secret_missing connections.db.password_file"])
        #expect(found[0].message == "\(dir.path)/secrets/db does not exist")

        try? FileManager.default.createDirectory(atPath: dir.path + "/secrets", withIntermediateDirectories: true)
        dir.write("secrets/db", Self.secretValue + "\n")
        #expect(
            issues(variant("dsn = \"clinic\"", "dsn = \"clinic\"\npassword_file = \"secrets/db\""), dir: dir).isEmpty)
    }

    @Test func oneFormOfASecretAtATime() {
        let text = variant(
            "dsn = \"clinic\"", "dsn = \"clinic\"\npassword = \"\(Self.secretValue)\"\npassword_env = \"DB_PW\"")
        let found = issues(text)
        #expect(found.codesAndPaths == ["config.invalid_value connections.db.password_env"])
        #expect(!found.description.contains(Self.secretValue))
    }

    @Test func environmentNameMustBeValid() {
        let found = issues(variant("dsn = \"clinic\"", "dsn = \"clinic\"\npassword_env = \"DB-PW\""))
        #expect(found.codesAndPaths == ["config.invalid_value connections.db.password_env"])
    }

    @Test func aSecretOfTheWrongTypeIsNotEchoed() {
        let found = issues(variant("dsn = \"clinic\"", "dsn = \"clinic\"\npassword = 987654321"))
        #expect(found.codesAndPaths == ["config.type connections.db.password"])
        #expect(!found.description.contains("987654321"))
    }

    @Test func resolveReadsFileAndEnvironment() throws {
        let dir = ProfileDir()
        dir.write("pw", Self.secretValue + "\n")
        let base = URL(fileURLWithPath: dir.path, isDirectory: true)
        let fromFile = try Secrets.resolve(
            "password", in: ConfigTable(["password_file": .string("pw")]),
            relativeTo: base, where: "connection db")
        #expect(fromFile == Self.secretValue)
        let fromEnv = try Secrets.resolve(
            "password", in: ConfigTable(["password_env": .string("PW")]),
            relativeTo: base, environment: ["PW": "x"], where: "connection db")
        #expect(fromEnv == "x")
        #expect(throws: AlmanacError.self) {
            try Secrets.resolve(
                "password", in: ConfigTable(["password_env": .string("PW")]), relativeTo: base,
                environment: [:], where: "connection db")
        }
    }
}

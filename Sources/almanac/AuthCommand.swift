import AlmanacCore
import AlmanacHTTP
import AlmanacWorker
import ArgumentParser
import Foundation
import Logging

/// `almanac auth google|google_contacts|cronofy --connection NAME PROFILE`: obtains the first
/// refresh token of a Google or Cronofy connection and stores it in the state directory, where the connector finds it.
struct AuthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "auth",
        abstract: "Authorize a google, google_contacts or cronofy connection and store its refresh token.",
        discussion: """
            Prints the page to open; after consent the browser is sent back to a loopback address \
            this command listens on (127.0.0.1). On a machine without a browser, open the page \
            elsewhere and pass the code from the redirect with --code (and the redirect URI used \
            with --redirect-uri). The token is stored in STATE/PROFILE.CONNECTION.oauth.json \
            (mode 0600) and never printed.
            """
    )

    @Argument(help: "The connector kind: google, google_contacts or cronofy.")
    var kind: String

    @Option(help: "The [connections.NAME] table of the profile to authorize.")
    var connection: String

    @Argument(help: "The profile: a NAME in the profiles directory or a path to NAME.toml.")
    var profile: String

    @Option(help: "Profiles directory (default: the standard one).")
    var profiles: String?

    @Option(help: "State directory where the token is stored (default: the standard one).")
    var state: String?

    @Option(help: "An authorization code obtained elsewhere (skips the loopback listener).")
    var code: String?

    @Option(help: "The redirect URI the code was obtained with (with --code).")
    var redirectURI: String?

    @Option(help: "Seconds to wait for the browser's redirect.")
    var timeout: Int = 300

    func validate() throws {
        guard ["google", "google_contacts", "cronofy"].contains(kind) else {
            throw ValidationError("KIND must be google, google_contacts or cronofy")
        }
    }

    func run() throws {
        let paths = AlmanacPaths.defaults()
        let path =
            profile.hasSuffix(".toml") || profile.contains("/")
            ? profile : "\(profiles ?? paths.profiles)/\(profile).toml"
        let loaded = ConnectorRegistry.loader.load(path: path)
        let p: Profile
        switch loaded.result {
        case .success(let ok): p = ok
        case .failure(let e):
            for issue in e.issues { FileHandle.standardError.write(Data("\(issue)\n".utf8)) }
            throw AlmanacExit.config
        }
        guard let conn = p.connections[connection] else {
            fail(
                "\(path): no [connections.\(connection)]; connections: \(p.connections.keys.sorted().joined(separator: ", "))"
            )
            throw AlmanacExit.config
        }
        guard conn.connector == kind, let module = ConnectorRegistry.module(kind: kind) else {
            fail("\(path): connection \"\(connection)\" uses connector \"\(conn.connector)\", not \"\(kind)\"")
            throw AlmanacExit.usage
        }
        let stateDir = URL(fileURLWithPath: state ?? paths.state)
        let context = ConnectorContext(
            profile: p.name, job: "", side: .to, connectionName: connection, connection: conn.settings,
            jobSettings: ConfigTable(), timeZone: p.timeZone, stateDirectory: stateDir,
            profileDirectory: URL(fileURLWithPath: path).deletingLastPathComponent(),
            logger: Logger(label: "almanac.auth"))
        do {
            guard let authorization = try module.oauthAuthorization(context) else {
                fail("connector \(kind) does not use OAuth")
                throw AlmanacExit.usage
            }
            let store = RefreshTokenStore(stateDirectory: stateDir, profile: p.name, connection: connection)
            let flow = AuthorizationCodeFlow(
                authorization: authorization, store: store, kind: kind, connection: connection)
            if let code {
                try flow.exchange(code: code, redirectURI: redirectURI)
            } else {
                try flow.runWithLoopback(timeout: TimeInterval(timeout)) { page in
                    print("Open this page in a browser and allow access:\n\n  \(page)\n\nWaiting for the redirect…")
                }
            }
            print(
                "connection \"\(connection)\" of profile \(p.name) is authorized; refresh token stored in \(store.url.path)"
            )
        } catch let e as AlmanacError {
            fail(e.message)
            throw AlmanacExit.failure
        }
    }

    private func fail(_ message: String) {
        FileHandle.standardError.write(Data("almanac auth: \(message)\n".utf8))
    }
}

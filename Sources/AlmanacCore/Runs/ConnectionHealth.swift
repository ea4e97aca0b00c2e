import Foundation

/// What almanac last saw of one connection of a profile: recorded by the worker after every run
/// that used it and every `test-connection`, kept in the state file, shown by `almanac status`.
///
/// `state` changes only on an observation: a run that read both sides, or a test, makes it `ok`;
/// a run that failed with an error of the connection's connector, or a failed test, makes it
/// `failing` (or `reconnect_required` when the service refused the stored authorization).
/// `since` is when the current state began: a connection that keeps failing keeps its first
/// failure's time.
public struct ConnectionHealth: Sendable, Codable, Hashable {
    public enum State: String, Sendable, Codable, Hashable {
        case ok, failing
        case reconnectRequired = "reconnect_required"
    }

    public var name: String
    public var state: State
    /// When `state` began.
    public var since: Date
    /// When the connection was last observed (a run or a test).
    public var checked: Date
    /// For `failing`/`reconnect_required`: the error's code (absent for a failed test step) and message.
    public var errorCode: String?
    public var error: String?

    enum CodingKeys: String, CodingKey {
        case name, state, since, checked, error
        case errorCode = "error_code"
    }

    public init(
        name: String, state: State, since: Date, checked: Date, errorCode: String? = nil, error: String? = nil
    ) {
        self.name = name
        self.state = state
        self.since = since
        self.checked = checked
        self.errorCode = errorCode
        self.error = error
    }

    /// `previous` (nil: never observed) after an observation at `at` that found `state`.
    public static func observe(
        _ previous: ConnectionHealth?, name: String, state: State, at: Date, errorCode: String? = nil,
        error: String? = nil
    ) -> ConnectionHealth {
        let since = previous.flatMap { $0.state == state ? $0.since : nil } ?? at
        return ConnectionHealth(
            name: name, state: state, since: since, checked: at, errorCode: state == .ok ? nil : errorCode,
            error: state == .ok ? nil : error)
    }

    /// The state a failure with `errorCode` puts a connection in.
    /// A code arrives as the string a run report carries; it is read back as a code the way any
    /// decoder reads it. A failed test step has no code: its detail says "reconnect required".
    public static func failureState(errorCode: String?, message: String?) -> State {
        let code = errorCode.flatMap { try? JSONDecoder().decode(ErrorCode.self, from: JSONEncoder().encode($0)) }
        return code == .oauthReconnectRequired || message?.contains("reconnect required") == true
            ? .reconnectRequired : .failing
    }

    /// Whether an error with `errorCode` is one of a connection of kind `connector`: codes of the
    /// connector's own area (`odbc.*` for `odbc`), and for the calendar services (`google`,
    /// `cronofy`) the HTTP and OAuth codes too. Other codes (`sync.*`, `state.*`) blame no connection.
    public static func blames(errorCode: String, connector: String) -> Bool {
        guard let area = errorCode.split(separator: ".").first.map(String.init) else { return false }
        if area == connector { return true }
        return ["http", "oauth"].contains(area) && ["google", "cronofy"].contains(connector)
    }
}

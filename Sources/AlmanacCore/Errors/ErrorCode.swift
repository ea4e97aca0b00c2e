/// A stable, machine-readable error identifier such as `config.unknown_key` or `odbc.connect_failed`.
///
/// The set is closed: every code almanac reports is one of the constants in this file, grouped by
/// area, each with its meaning; nothing outside this file can make a new one. Codes appear in logs,
/// `--json` output, run reports and the README's list (a test keeps that list and this file equal);
/// once published a code keeps its string and its meaning. Decoding reads back whatever string
/// another almanac process wrote, so a code added by a newer version still travels.
public struct ErrorCode: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The code's string, e.g. `config.syntax`: what logs, JSON and reports carry.
    public let rawValue: String

    private init(_ rawValue: String) { self.rawValue = rawValue }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }
}

// MARK: config — a profile file (`almanac check`)
extension ErrorCode {
    /// The file is not valid TOML.
    public static let configSyntax = ErrorCode("config.syntax")
    /// A key that the profile format does not know (with a suggestion when one is close).
    public static let configUnknownKey = ErrorCode("config.unknown_key")
    /// A required key is missing.
    public static let configMissingKey = ErrorCode("config.missing_key")
    /// A value of the wrong TOML type.
    public static let configType = ErrorCode("config.type")
    /// A value of the right type that is out of range or malformed.
    public static let configInvalidValue = ErrorCode("config.invalid_value")
    /// The file name is not a valid profile name.
    public static let configFileName = ErrorCode("config.file_name")
    /// The profile file or directory cannot be read.
    public static let configUnreadable = ErrorCode("config.unreadable")
    /// A secret written inline in a file that group or others can read.
    public static let configInlineSecret = ErrorCode("config.inline_secret")
    /// A secret's file or environment variable is missing or unreadable.
    public static let configSecretMissing = ErrorCode("config.secret_missing")
    /// A connection names a connector type almanac does not have.
    public static let configUnknownConnector = ErrorCode("config.unknown_connector")
    /// A job names a connection the profile does not define.
    public static let configUnknownConnection = ErrorCode("config.unknown_connection")
    /// A job asks a connector for what it cannot do (write, look up, …).
    public static let configCapability = ErrorCode("config.capability")
}

// MARK: api — the control API and its clients
extension ErrorCode {
    /// The control socket or TCP listener cannot be set up.
    public static let apiBindFailed = ErrorCode("api.bind_failed")
    /// The daemon cannot be reached.
    public static let apiUnreachable = ErrorCode("api.unreachable")
    /// The daemon did not answer in time.
    public static let apiTimeout = ErrorCode("api.timeout")
    /// `--listen` was given without a usable `--token-file` (missing, empty, or a malformed line).
    public static let apiTokenMissing = ErrorCode("api.token_missing")
    /// A request without the right bearer token.
    public static let apiUnauthorized = ErrorCode("api.unauthorized")
    /// A known bearer token whose role may not use the endpoint (a `read` token posting a sync).
    public static let apiForbidden = ErrorCode("api.forbidden")
    /// No such endpoint or action.
    public static let apiNotFound = ErrorCode("api.not_found")
    /// A request body that cannot be read.
    public static let apiBadRequest = ErrorCode("api.bad_request")
}

// MARK: profile — a control request about one profile
extension ErrorCode {
    /// No profile has that name.
    public static let profileNotFound = ErrorCode("profile.not_found")
    /// The profile has no valid configuration to run.
    public static let profileInvalid = ErrorCode("profile.invalid")
    /// The profile's file says `enabled = false`.
    public static let profileDisabledInFile = ErrorCode("profile.disabled_in_file")
    /// The profile was disabled with `almanac disable`.
    public static let profileDisabled = ErrorCode("profile.disabled")
    /// The profile's worker is not running.
    public static let profileNotRunning = ErrorCode("profile.not_running")
    /// The worker did not carry out the request.
    public static let profileRequestFailed = ErrorCode("profile.request_failed")
    /// A profile of that name exists: a create does not replace it.
    public static let profileExists = ErrorCode("profile.exists")
    /// The profile was written by hand, not generated from a template: the API does not rewrite it.
    public static let profileNotManaged = ErrorCode("profile.not_managed")
    /// A generated profile or its secrets could not be written; nothing was left behind.
    public static let profileWriteFailed = ErrorCode("profile.write_failed")
    /// The daemon runs one shard (`--shard K/N`) and the profile's name falls on another: ask that
    /// shard's daemon (`almanac shard-of NAME --shards N`).
    public static let profileOtherShard = ErrorCode("profile.other_shard")
}

// MARK: template — profile templates (`almanac new`, `POST /v1/profiles`)
extension ErrorCode {
    /// No template of that name in the templates directory.
    public static let templateNotFound = ErrorCode("template.not_found")
    /// The template file itself is malformed (its `[template]` table, a parameter's declaration).
    public static let templateInvalid = ErrorCode("template.invalid")
    /// A required parameter was given no value.
    public static let templateMissingValue = ErrorCode("template.missing_value")
    /// A value of the wrong type, not matching the parameter's pattern, or a secret given as a value.
    public static let templateInvalidValue = ErrorCode("template.invalid_value")
    /// A value for a parameter the template does not declare.
    public static let templateUnknownParameter = ErrorCode("template.unknown_parameter")
}

// MARK: recurrence — RRULE and recurrence sets (RFC 5545; docs/RECURRENCE.md)
extension ErrorCode {
    /// A rule part's value is malformed or out of range (`BYMONTHDAY=0`, `COUNT=x`).
    public static let recurrenceInvalidValue = ErrorCode("recurrence.invalid_value")
    /// A rule part RFC 5545 does not define, one given twice, or no `FREQ`.
    public static let recurrenceInvalidPart = ErrorCode("recurrence.invalid_part")
    /// Valid iCalendar that almanac does not expand (`FREQ=HOURLY`, `BYHOUR`).
    public static let recurrenceUnsupported = ErrorCode("recurrence.unsupported")
    /// Rule parts RFC 5545 forbids together (`COUNT` with `UNTIL`, `BYWEEKNO` outside `YEARLY`).
    public static let recurrenceConflict = ErrorCode("recurrence.conflict")
    /// A series whose parts do not fit each other (an unknown zone, an all-day RDATE on a timed series).
    public static let recurrenceInvalidSeries = ErrorCode("recurrence.invalid_series")
}

// MARK: supervisor — the daemon itself
extension ErrorCode {
    /// A directory, lock file, pipe or epoll instance the daemon needs cannot be created.
    public static let supervisorSetupFailed = ErrorCode("supervisor.setup_failed")
    /// Another daemon holds the runtime directory's lock.
    public static let supervisorAlreadyRunning = ErrorCode("supervisor.already_running")
    /// A worker process cannot be started.
    public static let supervisorSpawnFailed = ErrorCode("supervisor.spawn_failed")
    /// A worker exited too often in a short time: it is `fatal` and retried only after a pause.
    public static let supervisorRestartLimit = ErrorCode("supervisor.restart_limit")
}

// MARK: run, sync, state — a job's run and the sync engine
extension ErrorCode {
    /// The profile has no job of that name.
    public static let runUnknownJob = ErrorCode("run.unknown_job")
    /// A run failed with an error that is not an `AlmanacError`.
    public static let runError = ErrorCode("run.error")
    /// The engine failed with an error that is not an `AlmanacError`.
    public static let syncFailed = ErrorCode("sync.failed")
    /// The run would delete more than `mass_delete_percent` allows; nothing was written.
    public static let syncMassDeleteBlocked = ErrorCode("sync.mass_delete_blocked")
    /// A connector broke its contract (e.g. a wrong number of write outcomes).
    public static let syncConnectorContract = ErrorCode("sync.connector_contract")
    /// A connector kept returning continuations beyond the page limit.
    public static let syncPagingRunaway = ErrorCode("sync.paging_runaway")
    /// The state store cannot be opened or migrated.
    public static let stateOpenFailed = ErrorCode("state.open_failed")
    /// The state store cannot be written.
    public static let stateWriteFailed = ErrorCode("state.write_failed")
    /// Another process (the daemon's worker, an `almanac run`) holds the profile's lock; named in the message.
    public static let stateLocked = ErrorCode("state.locked")
    /// The connector cannot look items up by key.
    public static let connectorLookupUnsupported = ErrorCode("connector.lookup_unsupported")
}

// MARK: http, oauth — the HTTP client and OAuth
extension ErrorCode {
    /// A transfer failed below HTTP (DNS, connect, reset).
    public static let httpTransport = ErrorCode("http.transport")
    /// The TLS handshake or the server's certificate failed.
    public static let httpTLS = ErrorCode("http.tls")
    /// A transfer did not finish within its timeout.
    public static let httpTimeout = ErrorCode("http.timeout")
    /// The connection's request budget for this run is spent.
    public static let httpBudgetExhausted = ErrorCode("http.budget_exhausted")
    /// An answer's body is not what the request expects.
    public static let httpBadBody = ErrorCode("http.bad_body")
    /// A batch answer has no part for one of its requests.
    public static let httpNoAnswer = ErrorCode("http.no_answer")
    /// The connection has no refresh token yet: run `almanac auth`.
    public static let oauthNotAuthorized = ErrorCode("oauth.not_authorized")
    /// The refresh token was revoked or expired: authorize again.
    public static let oauthReconnectRequired = ErrorCode("oauth.reconnect_required")
    /// The OAuth client id or secret was refused.
    public static let oauthInvalidClient = ErrorCode("oauth.invalid_client")
    /// Refreshing the access token failed for another reason.
    public static let oauthRefreshFailed = ErrorCode("oauth.refresh_failed")
    /// Exchanging the authorization code for tokens failed.
    public static let oauthExchangeFailed = ErrorCode("oauth.exchange_failed")
    /// The user denied the authorization, or the redirect did not match the request.
    public static let oauthDenied = ErrorCode("oauth.denied")
    /// The loopback listener for the authorization redirect cannot be opened.
    public static let oauthListenFailed = ErrorCode("oauth.listen_failed")
    /// No authorization redirect arrived in time.
    public static let oauthTimeout = ErrorCode("oauth.timeout")
    /// The refresh token cannot be stored.
    public static let oauthStoreFailed = ErrorCode("oauth.store_failed")
}

// MARK: notify — notifications (the [notify] table)
extension ErrorCode {
    /// The profile has no `[notify]` table (`almanac notify-test`).
    public static let notifyNotConfigured = ErrorCode("notify.not_configured")
    /// The notify command could not start, exited non-zero, or ran past `command_timeout`.
    public static let notifyCommandFailed = ErrorCode("notify.command_failed")
    /// The webhook did not answer 2xx after its retries.
    public static let notifyWebhookFailed = ErrorCode("notify.webhook_failed")
    /// The mail server refused the mail or could not be reached.
    public static let notifyMailFailed = ErrorCode("notify.mail_failed")
}

// MARK: odbc — the ODBC connector
extension ErrorCode {
    /// The unixODBC driver manager cannot start.
    public static let odbcUnavailable = ErrorCode("odbc.unavailable")
    /// The driver or data source is not installed, or its library cannot be loaded.
    public static let odbcDriverMissing = ErrorCode("odbc.driver_missing")
    /// The database refused the login.
    public static let odbcLoginRefused = ErrorCode("odbc.login_refused")
    /// The database does not exist (or the user may not open it).
    public static let odbcDatabaseMissing = ErrorCode("odbc.database_missing")
    /// The connection cannot be opened for another reason (server unreachable, timeout).
    public static let odbcConnectFailed = ErrorCode("odbc.connect_failed")
    /// A query did not finish within `query_timeout`.
    public static let odbcTimeout = ErrorCode("odbc.timeout")
    /// The connection was lost during a query and could not be re-established.
    public static let odbcConnectionLost = ErrorCode("odbc.connection_lost")
    /// A query failed.
    public static let odbcQueryFailed = ErrorCode("odbc.query_failed")
    /// `read_query` lacks a required column.
    public static let odbcReadQueryColumns = ErrorCode("odbc.read_query_columns")
    /// A continuation token the connector did not issue.
    public static let odbcBadContinuation = ErrorCode("odbc.bad_continuation")
    /// A row to look up cannot be read, so it is not deleted.
    public static let odbcUnreadableRow = ErrorCode("odbc.unreadable_row")
}

// MARK: csv — the CSV connector
extension ErrorCode {
    /// `path` does not exist (or a file this job wrote is gone).
    public static let csvPathMissing = ErrorCode("csv.path_missing")
    /// The directory has no file matching `glob`.
    public static let csvNoFiles = ErrorCode("csv.no_files")
    /// The file is being written; the next run reads it.
    public static let csvFileBusy = ErrorCode("csv.file_busy")
    /// A file cannot be opened, examined or read.
    public static let csvUnreadable = ErrorCode("csv.unreadable")
    /// The file is empty.
    public static let csvEmptyFile = ErrorCode("csv.empty_file")
    /// The file is not CSV (binary, UTF-16, no header).
    public static let csvNotCSV = ErrorCode("csv.not_csv")
    /// A required column is missing from the header.
    public static let csvColumnMissing = ErrorCode("csv.column_missing")
    /// A record longer than the reader accepts.
    public static let csvRecordTooLarge = ErrorCode("csv.record_too_large")
    /// The file ends inside a quoted field.
    public static let csvTruncated = ErrorCode("csv.truncated")
    /// None of a file's rows could be read.
    public static let csvNoValidRows = ErrorCode("csv.no_valid_rows")
    /// A row to look up cannot be read, so it is not deleted.
    public static let csvUnreadableItem = ErrorCode("csv.unreadable_item")
    /// A continuation token that does not match the files.
    public static let csvBadContinuation = ErrorCode("csv.bad_continuation")
    /// A job writes to a `path` that is a directory.
    public static let csvSinkIsDirectory = ErrorCode("csv.sink_is_directory")
    /// The file cannot be written.
    public static let csvWriteFailed = ErrorCode("csv.write_failed")
}

// MARK: xml — the XML connector
extension ErrorCode {
    /// `path` does not exist (or a file this job wrote is gone).
    public static let xmlPathMissing = ErrorCode("xml.path_missing")
    /// The directory has no file matching `glob`.
    public static let xmlNoFiles = ErrorCode("xml.no_files")
    /// The file is being written; the next run reads it.
    public static let xmlFileBusy = ErrorCode("xml.file_busy")
    /// A file cannot be opened, examined or read.
    public static let xmlUnreadable = ErrorCode("xml.unreadable")
    /// The file is empty.
    public static let xmlEmptyFile = ErrorCode("xml.empty_file")
    /// The file is larger than the reader accepts.
    public static let xmlTooLarge = ErrorCode("xml.too_large")
    /// The file is not well-formed XML.
    public static let xmlParseFailed = ErrorCode("xml.parse_failed")
    /// The root element is not the one `item` expects.
    public static let xmlUnexpectedDocument = ErrorCode("xml.unexpected_document")
    /// None of a file's items could be read.
    public static let xmlNoValidItems = ErrorCode("xml.no_valid_items")
    /// An item to look up cannot be read, so it is not deleted.
    public static let xmlUnreadableItem = ErrorCode("xml.unreadable_item")
    /// A continuation token that does not match the files.
    public static let xmlBadContinuation = ErrorCode("xml.bad_continuation")
    /// A job writes to a `path` that is a directory.
    public static let xmlSinkIsDirectory = ErrorCode("xml.sink_is_directory")
    /// The file cannot be written.
    public static let xmlWriteFailed = ErrorCode("xml.write_failed")
}

// MARK: google — the Google Calendar connector
extension ErrorCode {
    /// The OAuth client credentials are missing or unusable.
    public static let googleCredentials = ErrorCode("google.credentials")
    /// The calendar does not exist or is not shared with the account.
    public static let googleCalendarNotFound = ErrorCode("google.calendar_not_found")
    /// The account may not read or write the calendar.
    public static let googleForbidden = ErrorCode("google.forbidden")
    /// A request failed with another HTTP status.
    public static let googleRequestFailed = ErrorCode("google.request_failed")
    /// An event to look up cannot be read, so it is not deleted.
    public static let googleUnreadableEvent = ErrorCode("google.unreadable_event")
}

// MARK: cronofy — the Cronofy connector
extension ErrorCode {
    /// The OAuth client id or secret is missing.
    public static let cronofyCredentials = ErrorCode("cronofy.credentials")
    /// The calendar does not exist in the account.
    public static let cronofyCalendarNotFound = ErrorCode("cronofy.calendar_not_found")
    /// The calendar cannot be written.
    public static let cronofyCalendarReadonly = ErrorCode("cronofy.calendar_readonly")
    /// The account may not read or write the calendar.
    public static let cronofyForbidden = ErrorCode("cronofy.forbidden")
    /// A request failed with another HTTP status.
    public static let cronofyRequestFailed = ErrorCode("cronofy.request_failed")
    /// A continuation token the connector did not issue.
    public static let cronofyBadContinuation = ErrorCode("cronofy.bad_continuation")
    /// An event to look up cannot be read, so it is not deleted.
    public static let cronofyUnreadableEvent = ErrorCode("cronofy.unreadable_event")
    /// The file of the series written as single events (`recurrence = "series"`) cannot be read
    /// or written, or the calendar holds a series' events that file does not know.
    public static let cronofySeriesState = ErrorCode("cronofy.series_state")
}

// MARK: exec — connectors run as plugin processes (docs/CONNECTOR-PROTOCOL.md)
extension ErrorCode {
    /// The plugin cannot be started (no such file, not executable, no `hello` in time).
    public static let execStartFailed = ErrorCode("exec.start_failed")
    /// The plugin speaks another protocol version than almanac.
    public static let execProtocolVersion = ErrorCode("exec.protocol_version")
    /// The plugin wrote a line the protocol does not allow (malformed, unknown type, wrong `re`,
    /// out of order, over 16 MiB); it was killed.
    public static let execProtocolViolation = ErrorCode("exec.protocol_violation")
    /// The plugin did not answer within its timeout; it was killed.
    public static let execTimeout = ErrorCode("exec.timeout")
    /// The plugin exited or closed its output before its answer was complete.
    public static let execCrashed = ErrorCode("exec.crashed")
    /// The plugin answered a request with an `error` message.
    public static let execPluginError = ErrorCode("exec.plugin_error")
    /// The plugin's settings schema (`spec`) cannot be used.
    public static let execBadSpec = ErrorCode("exec.bad_spec")
}

// MARK: memory — the in-memory connector and store of AlmanacTestKit
extension ErrorCode {
    /// A cursor the memory connector did not issue.
    public static let memoryBadCursor = ErrorCode("memory.bad_cursor")
    /// The memory store's file cannot be read.
    public static let memoryCorrupt = ErrorCode("memory.corrupt")
    /// The memory store's file cannot be replaced.
    public static let memorySaveFailed = ErrorCode("memory.save_failed")
}

import AlmanacCore
import Foundation
import RowMapping

/// The resolved settings of one ODBC connector instance.
struct ODBCSettings {
    /// The connection string as configured, without the password.
    var connectionString: String
    /// The resolved password (from `password_file`, `password_env` or `password`), if any.
    var password: String?
    var connectTimeout: Int
    var queryTimeout: Int
    var fetchRows: Int
    /// The longest text or binary value read, in bytes; a longer one makes its row an item problem.
    var maxValueBytes: Int
    var readQuery: NamedStatement?
    /// `lookup_query`: the rows of `:keys`, wherever their start lies (`Connector.lookup`).
    var lookupQuery: NamedStatement?
    var statements: [StatementKind: NamedStatement]
    /// Set for a job of `kind = "contacts"` (`groups_delimiter`, the profile's `default_region`).
    var contacts: ContactRules?

    enum StatementKind: String, CaseIterable {
        case insert, update, delete
        case onConfirmed = "on_confirmed"
        case onCancelled = "on_cancelled"
    }

    static let defaultMaxValueBytes = 1_048_576
    /// The values `max_value_bytes` accepts: 1 KiB to 1 GiB.
    static let maxValueBytesRange = 1_024...1_073_741_824

    /// The parameters a read query may use.
    static let readParameters: Set<String> = ["window_start", "window_end", "since"]

    /// Why a read query cannot be used, if it cannot. A contacts query has no window: it lists
    /// every contact, so it may use only `:since`.
    static func readQueryProblem(_ read: NamedStatement, kind: ItemKind = .events) -> String? {
        if kind == .contacts, let w = read.names.first(where: { $0 == "window_start" || $0 == "window_end" }) {
            return "uses :\(w); windows do not apply to contacts: a contacts read_query lists every contact "
                + "(it may use :since only)"
        }
        guard let first = read.names.first(where: { !readParameters.contains($0) }) else { return nil }
        return "uses :\(first); a read query knows only :window_start, :window_end and :since"
    }

    /// Why a lookup query cannot be used, if it cannot: it must bind `:keys` and nothing else.
    static func lookupQueryProblem(_ lookup: NamedStatement) -> String? {
        if let other = lookup.names.first(where: { $0 != "keys" }) {
            return "uses :\(other); a lookup query knows only :keys (as in WHERE id IN (:keys))"
        }
        if !lookup.names.contains("keys") {
            return "must select its rows with :keys (as in WHERE id IN (:keys))"
        }
        return nil
    }

    /// Why a write statement cannot be used, if it cannot: all but `insert` must bind `:external_id`.
    static func statementProblem(_ kind: StatementKind, _ statement: NamedStatement) -> String? {
        if kind != .insert && !statement.names.contains("external_id") {
            return "must name its row with :external_id (without it the statement would change every row)"
        }
        return nil
    }

    /// The connection string handed to the driver: the configured one plus `PWD={…}`.
    var fullConnectionString: String {
        guard let password else { return connectionString }
        return ODBCConnectionString.appending("PWD", password, to: connectionString)
    }

    /// Reads and checks the settings. Throws `AlmanacError` (`config.*`) naming the key.
    init(_ context: ConnectorContext) throws {
        let place = "connection \"\(context.connectionName)\""
        guard let cs = context.connection.string("connection_string") else {
            throw AlmanacError(.configMissingKey, "\(place): connection_string is required")
        }
        connectionString = cs
        password = try context.secret("password")
        func seconds(_ key: String, _ fallback: Int) throws -> Int {
            guard let text = context.connection.string(key) else { return fallback }
            guard let d = parseDuration(text) else {
                throw AlmanacError(
                    .configInvalidValue, "\(place): \(key): expected a duration like \"30s\", got \"\(text)\"")
            }
            return max(1, Int(d.components.seconds))
        }
        connectTimeout = try seconds("connect_timeout", 15)
        queryTimeout = try seconds("query_timeout", 300)
        fetchRows = context.connection.integer("fetch_rows") ?? 256
        maxValueBytes = context.connection.integer("max_value_bytes") ?? Self.defaultMaxValueBytes
        guard Self.maxValueBytesRange.contains(maxValueBytes) else {
            throw AlmanacError(
                .configInvalidValue,
                "\(place): max_value_bytes: expected 1024 to 1073741824 (bytes), got \(maxValueBytes)")
        }
        readQuery = context.jobSettings.string("read_query").map(NamedStatement.init)
        lookupQuery = context.jobSettings.string("lookup_query").map(NamedStatement.init)
        if let lookup = lookupQuery, let message = Self.lookupQueryProblem(lookup) {
            throw AlmanacError(.configInvalidValue, "job \"\(context.job)\": lookup_query: \(message)")
        }
        statements = [:]
        for kind in StatementKind.allCases {
            if let text = context.jobSettings.string(kind.rawValue) { statements[kind] = NamedStatement(text) }
        }
        if context.kind == .contacts {
            let delimiter = context.jobSettings.string("groups_delimiter") ?? ContactRules.defaultGroupsDelimiter
            guard !delimiter.isEmpty else {
                throw AlmanacError(.configInvalidValue, "job \"\(context.job)\": groups_delimiter: must not be empty")
            }
            contacts = ContactRules(defaultRegion: context.defaultRegion, groupsDelimiter: delimiter)
        }
        if let read = readQuery, let message = Self.readQueryProblem(read, kind: context.kind) {
            throw AlmanacError(.configInvalidValue, "job \"\(context.job)\": read_query: \(message)")
        }
        for (kind, statement) in statements {
            if let message = Self.statementProblem(kind, statement) {
                throw AlmanacError(.configInvalidValue, "job \"\(context.job)\": \(kind.rawValue): \(message)")
            }
        }
    }

    /// The event fields this side stores and reads back (`Connector.fields`): those whose
    /// standard column names the read query mentions, plus custom fields; when an `update`
    /// statement exists, only those it also writes (custom fields when it binds any).
    /// `start` is always represented.
    var representedFields: Set<EventField> {
        var read: Set<EventField> = [.start, .custom]
        if let q = readQuery?.original {
            for word in Self.words(q) { if let f = Self.field(named: word) { read.insert(f) } }
        }
        guard let update = statements[.update] else { return read }
        var written: Set<EventField> = [.start]
        for name in update.names {
            if let f = Self.field(named: name.lowercased()) {
                written.insert(f)
            } else if name != "external_id" {
                written.insert(.custom)
            }
        }
        return read.intersection(written)
    }

    /// The contact parts this side stores and reads back (`Connector.contactShape`): those whose
    /// standard column names the read query mentions (`ContactColumn.shape`), plus custom
    /// fields; when an `update` statement exists, only those it also binds (custom fields when
    /// it binds any other name).
    var representedContactShape: ContactShape {
        let read = ContactColumn.shape(of: readQuery.map { Self.words($0.original) } ?? [], custom: true)
        guard let update = statements[.update] else { return read }
        let custom = update.names.contains { ContactColumn.field(named: $0) == .custom }
        return read.intersection(ContactColumn.shape(of: update.names, custom: custom))
    }

    /// Whether an all-day event written here reads back as all-day: the read query returns an
    /// `all_day` column and the `update` statement, if any, binds `:all_day`. Without them an
    /// all-day event is stored as the timestamps of its midnights (README "Times").
    var keepsAllDay: Bool {
        guard let read = readQuery?.original, Self.words(read).contains("all_day") else { return false }
        guard let update = statements[.update] else { return true }
        return update.names.contains { $0.lowercased() == "all_day" }
    }

    /// The identifiers of a statement's text, lower-cased (column names and aliases among them).
    static func words(_ text: String) -> Set<String> {
        Set(text.lowercased().split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "_") }).map(String.init))
    }

    /// The event field a standard column or parameter name stands for.
    static func field(named name: String) -> EventField? {
        if RecurrenceColumns.names.contains(name.lowercased()) { return .recurrence }
        switch StandardField(name: name.lowercased()) {
        case .title: return .title
        case .content: return .description
        case .location: return .location
        case .startTime: return .start
        case .endTime: return .end
        case .status: return .status
        case .participant(_, .response): return .responses
        case .participant: return .participants
        case .externalID, .allDay, .created, .updated, .custom: return nil
        }
    }
}

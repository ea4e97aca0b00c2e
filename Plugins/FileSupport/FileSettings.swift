import AlmanacCore
import Foundation
import Logging
import RowMapping

/// The settings every file connector has: where the files are, when a file counts as finished,
/// how dates are written, and the zone of naive times.
public struct FileSettings: Sendable {
    /// A file, or a directory read with `glob`; relative paths are relative to the profile.
    public var path: URL
    public var glob: String
    public var formats: [StandardField: TimeFormat]
    /// How long a file must be left unchanged before it is read (`settle`, default 1s).
    public var settle: Duration
    public var timeZone: TimeZone
    /// Set for a job of `kind = "contacts"`: the profile's `default_region` and the job's
    /// `groups_delimiter` (default `;`); the connector adds where kept phones are reported.
    public var contacts: ContactRules?

    /// Reads `path`, `glob` (default `defaultGlob`), `formats` and `settle` of the connection.
    /// Throws `config.invalid_value` naming the connection and key.
    public init(_ context: ConnectorContext, defaultGlob: String) throws {
        let t = context.connection
        guard let p = t.string("path"), !p.isEmpty else { throw Self.invalid(context, "path", "is required") }
        path = p.hasPrefix("/") ? URL(fileURLWithPath: p) : context.profileDirectory.appendingPathComponent(p)
        glob = t.string("glob") ?? defaultGlob
        let (f, errors) = RowMapper.formats(from: t.table("formats"))
        if let first = errors.first { throw Self.invalid(context, "formats", first) }
        formats = f
        if let s = t.string("settle") {
            guard let d = parseDuration(s) else {
                throw Self.invalid(context, "settle", "expected a duration like \"2s\"")
            }
            settle = d
        } else {
            settle = .seconds(1)
        }
        timeZone = context.timeZone
        if context.kind == .contacts {
            let delimiter = context.jobSettings.string("groups_delimiter") ?? ContactRules.defaultGroupsDelimiter
            guard !delimiter.isEmpty else {
                throw AlmanacError(
                    .configInvalidValue, "job \"\(context.job)\": groups_delimiter: must not be empty")
            }
            contacts = ContactRules(defaultRegion: context.defaultRegion, groupsDelimiter: delimiter)
        }
    }

    /// The job setting every file connector takes for contacts (README "Contacts").
    public static let contactSettings: [SettingSpec] = [
        SettingSpec(
            "groups_delimiter", .string,
            "contacts: what separates group names in the groups column (default \";\")")
    ]

    /// Makes `contacts` report each phone kept as given to `logger`, at notice level.
    public mutating func reportKeptPhones(to logger: Logger, connector: String) {
        contacts?.reportKeptPhone = { kept in
            logger.notice(
                "phone kept as given: \(kept.problem)",
                metadata: [
                    "connector": "\(connector)", "key": "\(kept.key)", "column": "\(kept.column)",
                    "error.code": "\(kept.problem.id)",
                ])
        }
    }

    /// For a job's `to` side: the marker that remembers the target was written; throws
    /// `PREFIX.sink_is_directory` when `path` is a directory (a sink writes one file). Nil for `from`.
    public func sinkMarker(_ context: ConnectorContext, prefix: String) throws -> SinkMarker? {
        guard context.side == .to else { return nil }
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path.path, isDirectory: &isDir), isDir.boolValue {
            throw AlmanacError(
                FileErrorCodes.of(prefix).sinkIsDirectory,
                "connection \"\(context.connectionName)\": \(path.path) is a directory; a job writing "
                    + "\(prefix.uppercased()) needs `path` to name a file")
        }
        return SinkMarker(context: context, path: path)
    }

    /// `connection "NAME": KEY: MESSAGE` as `config.invalid_value`.
    public static func invalid(_ context: ConnectorContext, _ key: String, _ message: String) -> AlmanacError {
        AlmanacError(.configInvalidValue, "connection \"\(context.connectionName)\": \(key): \(message)")
    }
}

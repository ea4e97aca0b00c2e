import AlmanacCore

/// The codes of the failures the file connectors share, one set per connector (`csv.file_busy`,
/// `xml.file_busy`, …), picked by the connector's prefix. The codes themselves are declared in
/// `ErrorCode.swift` with the others.
public struct FileErrorCodes: Sendable {
    public let pathMissing: ErrorCode
    public let noFiles: ErrorCode
    public let fileBusy: ErrorCode
    public let unreadable: ErrorCode
    public let noValidRecords: ErrorCode
    public let unreadableItem: ErrorCode
    public let badContinuation: ErrorCode
    public let sinkIsDirectory: ErrorCode
    public let writeFailed: ErrorCode

    public static let csv = FileErrorCodes(
        pathMissing: .csvPathMissing, noFiles: .csvNoFiles, fileBusy: .csvFileBusy, unreadable: .csvUnreadable,
        noValidRecords: .csvNoValidRows, unreadableItem: .csvUnreadableItem, badContinuation: .csvBadContinuation,
        sinkIsDirectory: .csvSinkIsDirectory, writeFailed: .csvWriteFailed)

    public static let xml = FileErrorCodes(
        pathMissing: .xmlPathMissing, noFiles: .xmlNoFiles, fileBusy: .xmlFileBusy, unreadable: .xmlUnreadable,
        noValidRecords: .xmlNoValidItems, unreadableItem: .xmlUnreadableItem, badContinuation: .xmlBadContinuation,
        sinkIsDirectory: .xmlSinkIsDirectory, writeFailed: .xmlWriteFailed)

    /// The set of the connector whose prefix is `prefix` (`csv` or `xml`).
    public static func of(_ prefix: String) -> FileErrorCodes {
        switch prefix {
        case "csv": return .csv
        case "xml": return .xml
        default: preconditionFailure("no error codes for file connector \"\(prefix)\"")
        }
    }
}

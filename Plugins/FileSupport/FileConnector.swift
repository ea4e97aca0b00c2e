import AlmanacCore
import Foundation

/// What the csv and xml connectors share: one side of a job over a file, or a directory of files,
/// read through a `FileListing` and written whole by a sink. A subclass gives the listing, how a
/// run's changes are written (`apply`), and the steps `testConnection` adds after the file step.
///
/// `read` lists every record whose start falls in the window, in pages, as a complete listing
/// (`coverage: .complete(window)`), each record's content hash its version; it throws rather than
/// list nothing when a file is missing, being written, empty or unreadable (see `FileListing`).
open class FileConnector<Reader: FileRecordReader>: Connector {
    public let capabilities: ConnectorCapabilities
    /// Everything but participants' responses, which a record has no field for.
    public var fields: Set<EventField> { Set(EventField.allCases).subtracting([.responses]) }
    /// Each write rewrites the whole file: the engine sends a run's changes at once.
    public var writesWholeStore: Bool { true }
    public let trimsText: Bool
    public let side: ConnectorContext.Side
    public let listing: FileListing<Reader>
    private let apply: (FileListing<Reader>, [Change]) throws -> [WriteOutcome]
    private let describe: (Reader, _ items: Int, _ problems: Int) -> [ConnectionReport.Step]

    public init(
        side: ConnectorContext.Side, capabilities: ConnectorCapabilities, trimsText: Bool,
        listing: FileListing<Reader>,
        apply: @escaping (FileListing<Reader>, [Change]) throws -> [WriteOutcome],
        describe: @escaping (Reader, _ items: Int, _ problems: Int) -> [ConnectionReport.Step]
    ) {
        self.side = side
        self.capabilities = capabilities
        self.trimsText = trimsText
        self.listing = listing
        self.apply = apply
        self.describe = describe
    }

    public func read(_ request: ReadRequest) throws -> ReadPage { try listing.read(request) }

    /// Reads the whole file (or every file of the glob) and keeps `keys` (see `FileListing.lookup`).
    public func lookup(_ keys: [String]) throws -> [SourceItem] { try listing.lookup(keys) }

    public func write(_ changes: [Change]) throws -> [WriteOutcome] {
        let outcomes = try apply(listing, changes)
        listing.recordWrite()
        return outcomes
    }

    public func testConnection() -> ConnectionReport { listing.testConnection(side: side, describe: describe) }
}

import AlmanacCore
import Foundation
import Logging
import RowMapping

/// A file format's settings, as the csv and xml connectors give them to `FileConnector`: how its
/// files are read, how a run's changes are written, and what `testConnection` adds.
public protocol FileFormat: Sendable {
    associatedtype Reader: FileRecordReader
    /// The settings every file connector has (path, glob, settle, zone, formats).
    var common: FileSettings { get }
    /// The connector kind, the prefix of its error codes (`csv`, `xml`).
    static var prefix: String { get }
    /// What a record is called in messages (`rows`, `items`).
    static var unit: String { get }
    /// How many fields a listing's continuation carries for this reader.
    static var fieldCount: Int { get }
    /// Whether values are read without surrounding white space, and written so.
    static var trimsText: Bool { get }
    /// Opens one file of the listing.
    func open(_ url: URL, source: FileSource, mapper: RowMapper) throws -> Reader
    /// Writes a run's changes, rewriting the whole file.
    func apply(_ changes: [Change], source: FileSource, mapper: RowMapper) throws -> [WriteOutcome]
    /// The contact parts the file `url` stores, from the names of its columns (a CSV header, an
    /// XML document's `fields` and item elements), as `ContactColumn.shape`; nil when it has none
    /// yet (no header, no item). Throws when the file cannot be read.
    func contactShape(of url: URL, source: FileSource, mapper: RowMapper) throws -> ContactShape?
    /// The steps `testConnection` adds after the file step, from the first file's reader after up
    /// to 100 records.
    func describe(_ reader: Reader, items: Int, problems: Int) -> [ConnectionReport.Step]
}

/// One side of a job over a file, or a directory of files, in a `FileFormat` (the csv and xml
/// connectors).
///
/// `read` lists every record whose start falls in the window, in pages, as a complete listing
/// (`coverage: .complete(window)`), each record's content hash its version; it throws rather than
/// list nothing when a file is missing, being written, empty or unreadable (see `FileListing`), so
/// a broken export never looks like "everything was deleted". `write` rewrites the whole file
/// atomically.
public final class FileConnector<Format: FileFormat>: Connector {
    public let capabilities: ConnectorCapabilities
    /// Everything but participants' responses, which a record has no field for.
    public var fields: Set<EventField> { Set(EventField.allCases).subtracting([.responses]) }
    /// Each write rewrites the whole file: the engine sends a run's changes at once.
    public var writesWholeStore: Bool { true }
    public var trimsText: Bool { Format.trimsText }
    /// Events and contacts (`kind = "contacts"`: the contact columns of README "Contacts").
    public var kinds: Set<ItemKind> { [.events, .contacts] }
    /// The contact parts the files store (README "Contacts"): those their columns or elements name
    /// (`FileFormat.contactShape`; over a glob, what every file stores), custom fields included.
    /// A file with none yet (a target not written yet, or one that cannot be read, whose read
    /// then fails) counts as `newFileShape`. Each part reads back as written (phones as stored,
    /// groups without the delimiter in their names). The files are read for it again only once
    /// one has changed (`FileStamp`): the job's start and its write read them once.
    public var contactShape: ContactShape {
        guard settings.common.contacts != nil else { return Self.newFileShape }
        let source = listing.source
        let files = (try? source.files()) ?? []
        let stamps = try? Dictionary(uniqueKeysWithValues: files.map { ($0, try source.stamp($0)) })
        if let derived, let stamps, derived.stamps == stamps { return derived.shape }
        var shape: ContactShape?
        var readAll = true
        for url in files {
            do {
                guard let s = try settings.contactShape(of: url, source: source, mapper: listing.mapper) else {
                    continue
                }
                shape = shape.map { $0.intersection(s) } ?? s
            } catch {
                readAll = false
            }
        }
        let out = shape ?? Self.newFileShape
        derived = readAll && !files.isEmpty ? stamps.map { ($0, out) } : nil
        return out
    }

    /// What the sink writes to a new file: every part within the columns a file gets
    /// (`ContactColumn.fixed`), up to `ContactColumn.maxEmails` e-mails, one phone of each kind.
    public static var newFileShape: ContactShape {
        var shape = ContactShape.full
        shape.emails = ContactColumn.maxEmails
        shape.emailKinds = ContactColumn.maxEmails
        shape.phonesPerKind = 1
        return shape
    }
    public let settings: Format
    private let side: ConnectorContext.Side
    private let listing: FileListing<Format.Reader>
    /// The last `contactShape` read from the files, with their stamps from before that read.
    private var derived: (stamps: [URL: FileStamp], shape: ContactShape)?

    public init(
        settings: Format, side: ConnectorContext.Side, capabilities: ConnectorCapabilities, logger: Logger,
        pageSize: Int = 5000, marker: SinkMarker? = nil
    ) {
        self.settings = settings
        self.side = side
        self.capabilities = capabilities
        var common = settings.common
        common.reportKeptPhones(to: logger, connector: Format.prefix)
        listing = FileListing(
            prefix: Format.prefix, unit: Format.unit, settings: common, pageSize: pageSize,
            fieldCount: Format.fieldCount, marker: marker
        ) { url, source, mapper in
            try settings.open(url, source: source, mapper: mapper)
        }
    }

    public func read(_ request: ReadRequest) throws -> ReadPage { try listing.read(request) }

    /// Reads the whole file (or every file of the glob) and keeps `keys` (see `FileListing.lookup`).
    public func lookup(_ keys: [String]) throws -> [SourceItem] { try listing.lookup(keys) }

    /// Writes only the contact parts the file stores (`contactShape`): a part it has no column
    /// for is neither added nor emptied.
    public func write(_ changes: [Change]) throws -> [WriteOutcome] {
        if listing.mapper.contacts != nil { listing.mapper.contacts?.shape = contactShape }
        let outcomes = try settings.apply(changes, source: listing.source, mapper: listing.mapper)
        listing.recordWrite()
        return outcomes
    }

    public func testConnection() -> ConnectionReport {
        listing.testConnection(side: side) { reader, items, problems in
            settings.describe(reader, items: items, problems: problems)
        }
    }
}

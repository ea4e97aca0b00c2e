import AlmanacCore
import FileConnectorSupport
import Foundation
import Logging

/// An XML document, or a directory of them, as one side of a job.
///
/// `read` lists every item whose start falls in the window, in pages of `pageSize` items, as a
/// complete listing with each item's content hash as its version. It throws rather than list
/// nothing when a file is missing, being written, empty, too large, not well-formed, not the
/// expected document, or has items but none readable (see `FileListing`). `write` rewrites the
/// whole document atomically (see `XMLSink`).
public final class XMLConnector: Connector {
    public let capabilities: ConnectorCapabilities
    /// Everything but participants' responses, which a row has no column for.
    public var fields: Set<EventField> { Set(EventField.allCases).subtracting([.responses]) }
    /// Each write rewrites the whole file (see `XMLSink`): the engine sends a run's changes at once.
    public var writesWholeStore: Bool { true }
    /// Values are read without surrounding white space, and written so (README "Fields").
    public var trimsText: Bool { true }
    let settings: XMLSettings
    private let side: ConnectorContext.Side
    private let listing: FileListing<XMLItemReader>

    init(
        settings: XMLSettings, side: ConnectorContext.Side, capabilities: ConnectorCapabilities, logger: Logger,
        pageSize: Int = 5000, marker: SinkMarker? = nil
    ) {
        self.settings = settings
        self.side = side
        self.capabilities = capabilities
        listing = FileListing(
            prefix: "xml", unit: "items", settings: settings.common, pageSize: pageSize, fieldCount: 3, marker: marker
        ) { url, source, mapper in
            try XMLItemReader(url: url, settings: settings, source: source, mapper: mapper)
        }
    }

    public func read(_ request: ReadRequest) throws -> ReadPage { try listing.read(request) }

    public func write(_ changes: [Change]) throws -> [WriteOutcome] {
        let outcomes = try XMLSink(settings: settings, source: listing.source, mapper: listing.mapper).apply(changes)
        listing.recordWrite()
        return outcomes
    }

    public func testConnection() -> ConnectionReport {
        listing.testConnection(side: side) { reader, items, problems in
            [
                .init(
                    name: "items", ok: items > 0 || problems == 0,
                    detail: "first \(items + problems) <\(settings.item.elements.last!.qualified)> item(s): "
                        + "\(items) readable, \(problems) with problems"
                        + (reader.firstProblem.map { " (first: \($0))" } ?? ""))
            ]
        }
    }
}

extension XMLItemReader: FileRecordReader {
    var continuationFields: [String] { [String(itemsSeen), String(valid), String(problems)] }
}

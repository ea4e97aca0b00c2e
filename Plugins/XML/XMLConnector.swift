import AlmanacCore
import FileConnectorSupport
import Foundation
import Logging

/// An XML document, or a directory of them, as one side of a job.
///
/// See `FileConnector`: a document that is too large, not well-formed, not the expected document,
/// or has items but none readable fails the read. `write` rewrites the whole document atomically
/// (see `XMLSink`).
final class XMLConnector: FileConnector<XMLItemReader> {
    let settings: XMLSettings

    /// Values are read without surrounding white space, and written so (README "Fields").
    init(
        settings: XMLSettings, side: ConnectorContext.Side, capabilities: ConnectorCapabilities, logger: Logger,
        pageSize: Int = 5000, marker: SinkMarker? = nil
    ) {
        self.settings = settings
        let listing = FileListing<XMLItemReader>(
            prefix: "xml", unit: "items", settings: settings.common, pageSize: pageSize, fieldCount: 3, marker: marker
        ) { url, source, mapper in
            try XMLItemReader(url: url, settings: settings, source: source, mapper: mapper)
        }
        super.init(
            side: side, capabilities: capabilities, trimsText: true, listing: listing,
            apply: { listing, changes in
                try XMLSink(settings: settings, source: listing.source, mapper: listing.mapper).apply(changes)
            },
            describe: { reader, items, problems in
                [
                    .init(
                        name: "items", ok: items > 0 || problems == 0,
                        detail: "first \(items + problems) <\(settings.item.elements.last!.qualified)> item(s): "
                            + "\(items) readable, \(problems) with problems"
                            + (reader.firstProblem.map { " (first: \($0))" } ?? ""))
                ]
            })
    }
}

extension XMLItemReader: FileRecordReader {
    var continuationFields: [String] { [String(itemsSeen), String(valid), String(problems)] }
}

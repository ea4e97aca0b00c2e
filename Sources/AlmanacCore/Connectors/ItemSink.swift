/// Takes the items of a streamed read (`Connector.read(_:into:)`) one at a time, as the
/// connector reads them, so that a page's items need not all be held at once: the engine's side
/// reader keeps an unchanged item as its key and version only, before the next item is read.
public protocol ItemSink {
    /// The next item of the page being read.
    mutating func take(_ item: SourceItem)

    /// The next item, with the fingerprint of the source row it was mapped from
    /// (`RowFingerprint`): a sink that keeps fingerprints can later take the same row unmapped
    /// (`takeUnchanged`). By default, `take(item)`.
    mutating func take(_ item: SourceItem, fingerprint: UInt64)

    /// Offers the next item before it is mapped, by its key and the fingerprint of its source
    /// row: true when the sink took it as unchanged (the row is byte for byte one the sink saw
    /// mapped before, under the same settings), and the connector then neither maps it nor hands
    /// it over; false when the connector must map it and hand it over with `take`. The connector
    /// offers a row only after its own checks (a failed row, a duplicate key). By default, false.
    mutating func takeUnchanged(key: String, fingerprint: UInt64) -> Bool

    /// Forgets the items taken since the read began: the connector reads the page again from its
    /// first item (after a lost connection, or to read values too long for its buffers) and hands
    /// again what is still there. Items the sink held before the read began stay.
    mutating func restart()
}

extension ItemSink {
    public mutating func take(_ item: SourceItem, fingerprint: UInt64) { take(item) }

    public mutating func takeUnchanged(key: String, fingerprint: UInt64) -> Bool { false }
}

/// The sink that keeps every item in order: what `Connector.read(_:)` returns, for a connector
/// that streams.
public struct ItemCollector: ItemSink {
    public var items: [SourceItem] = []
    /// Keeps only the items it is true for (a lookup's keys); nil keeps every item.
    public var keep: ((SourceItem) -> Bool)?

    public init(keep: ((SourceItem) -> Bool)? = nil) {
        self.keep = keep
    }

    public mutating func take(_ item: SourceItem) {
        if let keep, !keep(item) { return }
        items.append(item)
    }

    public mutating func restart() { items.removeAll(keepingCapacity: true) }
}

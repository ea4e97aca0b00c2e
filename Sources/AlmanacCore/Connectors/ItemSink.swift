/// Takes the items of a streamed read (`Connector.read(_:into:)`) one at a time, as the
/// connector reads them, so that a page's items need not all be held at once: the engine's side
/// reader keeps an unchanged item as its key and version only, before the next item is read.
public protocol ItemSink {
    /// The next item of the page being read.
    mutating func take(_ item: SourceItem)

    /// Forgets the items taken since the read began: the connector reads the page again from its
    /// first item (after a lost connection, or to read values too long for its buffers) and hands
    /// again what is still there. Items the sink held before the read began stay.
    mutating func restart()
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

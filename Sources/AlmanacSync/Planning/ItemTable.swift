import AlmanacCore

/// The items one side returned, by key: the items in an array and their positions in an index.
/// A `[String: SourceItem]` holds a whole item in each bucket and keeps up to half of them empty,
/// and copies every item when it grows; this holds 100,000 items in about half that memory.
/// Iteration follows the order items were added in (a removal moves the last item into its place).
public struct ItemTable: Sendable, Sequence {
    private var items: [SourceItem] = []
    private var positions: [String: Int] = [:]

    public init() {}

    public var count: Int { items.count }
    public var isEmpty: Bool { items.isEmpty }
    /// The keys, in iteration order.
    public var keys: [String] { items.map(\.key) }

    /// The item under `key`; setting nil removes it. An item is always stored under its own key.
    public subscript(key: String) -> SourceItem? {
        get { positions[key].map { items[$0] } }
        set {
            guard let newValue else {
                guard let i = positions.removeValue(forKey: key) else { return }
                let last = items.removeLast()
                if i < items.count {
                    items[i] = last
                    positions[last.key] = i
                }
                return
            }
            precondition(newValue.key == key, "an item is stored under its own key")
            if let i = positions[key] {
                items[i] = newValue
            } else {
                positions[key] = items.count
                items.append(newValue)
            }
        }
    }

    /// Makes room for `n` items (room not used costs address space, not memory: pages never
    /// written are not resident).
    public mutating func reserveCapacity(_ n: Int) {
        items.reserveCapacity(n)
        positions.reserveCapacity(n)
    }

    public struct Iterator: IteratorProtocol {
        var base: IndexingIterator<[SourceItem]>

        public mutating func next() -> (key: String, value: SourceItem)? {
            base.next().map { ($0.key, $0) }
        }
    }

    public func makeIterator() -> Iterator { Iterator(base: items.makeIterator()) }
}

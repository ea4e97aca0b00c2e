import AlmanacCore

/// The items one side returned, by key: the items in an array and their positions in an index.
/// A `[String: SourceItem]` holds a whole item in each bucket and keeps up to half of them empty,
/// and copies every item when it grows; this holds 100,000 items in about half that memory.
///
/// An item the reader found unchanged (`UnchangedFilter`) is kept as its key and version only:
/// `contains` and `count` see it, the subscript and iteration do not (they give whole items),
/// `unchanged(_:)` gives its version. Iteration follows the order whole items were added in (a
/// removal moves the last item into its place).
public struct ItemTable: Sendable, Sequence {
    private var items: [SourceItem] = []
    private var slim: [Unchanged] = []
    /// Position in `items`, or `~i` for position `i` in `slim`.
    private var positions: [String: Int] = [:]

    /// An item read as the state has it (`UnchangedFilter`): its key, and its version when that
    /// is not the state's.
    public struct Unchanged: Sendable, Equatable {
        public var key: String
        /// The version read, when `versionChanged` (else the state's version is current).
        public var version: String?
        public var versionChanged: Bool

        public init(key: String, version: String?, versionChanged: Bool) {
            self.key = key
            self.version = version
            self.versionChanged = versionChanged
        }
    }

    public init() {}

    /// Whole and unchanged items.
    public var count: Int { items.count + slim.count }
    public var isEmpty: Bool { items.isEmpty && slim.isEmpty }
    /// The keys of whole items, in iteration order, then those of unchanged ones.
    public var keys: [String] { items.map(\.key) + slim.map(\.key) }
    /// How many items are held as unchanged.
    public var unchangedCount: Int { slim.count }

    /// Whether an item (whole or unchanged) is held under `key`. (An empty table answers without
    /// hashing `key`: a no-change run asks the empty delta of `to` about every item.)
    public func contains(_ key: String) -> Bool { !positions.isEmpty && positions[key] != nil }

    /// The unchanged item under `key` (nil when none, or when the item is held whole).
    public func unchanged(_ key: String) -> Unchanged? {
        guard let i = positions[key], i < 0 else { return nil }
        return slim[~i]
    }

    /// What is held under `key`: the whole item, or the unchanged one (one lookup for both).
    func lookup(_ key: String) -> (whole: SourceItem?, unchanged: Unchanged?) {
        guard !positions.isEmpty, let i = positions[key] else { return (nil, nil) }
        return i >= 0 ? (items[i], nil) : (nil, slim[~i])
    }

    /// The whole item under `key` (nil for an unchanged one); setting an item replaces whatever
    /// is held under its key, setting nil removes it.
    public subscript(key: String) -> SourceItem? {
        get {
            guard !positions.isEmpty else { return nil }
            return positions[key].flatMap { $0 >= 0 ? items[$0] : nil }
        }
        set {
            guard let newValue else {
                remove(key)
                return
            }
            precondition(newValue.key == key, "an item is stored under its own key")
            put(newValue)
        }
    }

    /// Holds `item` whole, replacing whatever is held under its key; true when nothing was.
    @discardableResult
    public mutating func put(_ item: SourceItem) -> Bool {
        if let i = positions[item.key] {
            if i >= 0 {
                items[i] = item
                return false
            }
            remove(item.key)
            positions[item.key] = items.count
            items.append(item)
            return false
        }
        positions[item.key] = items.count
        items.append(item)
        return true
    }

    /// Holds `item` as unchanged, replacing whatever is held under its key; true when nothing was.
    @discardableResult
    public mutating func setUnchanged(_ item: Unchanged) -> Bool {
        if let i = positions[item.key] {
            if i < 0 {
                slim[~i] = item
                return false
            }
            remove(item.key)
            positions[item.key] = ~slim.count
            slim.append(item)
            return false
        }
        positions[item.key] = ~slim.count
        slim.append(item)
        return true
    }

    private mutating func remove(_ key: String) {
        guard let i = positions.removeValue(forKey: key) else { return }
        if i >= 0 {
            let last = items.removeLast()
            if i < items.count {
                items[i] = last
                positions[last.key] = i
            }
        } else {
            let last = slim.removeLast()
            if ~i < slim.count {
                slim[~i] = last
                positions[last.key] = i
            }
        }
    }

    /// Makes room for `n` items (room not used costs address space, not memory: pages never
    /// written are not resident).
    public mutating func reserveCapacity(_ n: Int) {
        items.reserveCapacity(n)
        positions.reserveCapacity(n)
    }

    /// Makes room for `n` unchanged items (and their index, which would otherwise be copied as
    /// it grows and, at 100,000 items, double at the last moment).
    mutating func reserveUnchanged(_ n: Int) {
        slim.reserveCapacity(n)
        positions.reserveCapacity(n + n / 8)  // and the few items held whole
    }

    public struct Iterator: IteratorProtocol {
        var base: IndexingIterator<[SourceItem]>

        public mutating func next() -> (key: String, value: SourceItem)? {
            base.next().map { ($0.key, $0) }
        }
    }

    /// Iterates the whole items only.
    public func makeIterator() -> Iterator { Iterator(base: items.makeIterator()) }
}

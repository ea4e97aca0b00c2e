import AlmanacCore

/// The items one side returned, by key: the items in an array and their positions in an index
/// (`KeyIndex`). A `[String: SourceItem]` holds a whole item in each bucket and keeps up to half
/// of them empty, and copies every item when it grows; this holds 100,000 items in about half
/// that memory.
///
/// An item the reader found unchanged (`UnchangedFilter`) is kept as its key and version only:
/// `contains` and `count` see it, the subscript and iteration do not (they give whole items),
/// `unchanged(_:)` gives its version. Iteration follows the order whole items were added in (a
/// removal moves the last item into its place).
public struct ItemTable: Sendable, Sequence {
    private var items: [SourceItem] = []
    private var slim: [Unchanged] = []
    /// Position in `items`, or `~i` for position `i` in `slim`, by key.
    private var index = KeyIndex()

    /// An item read as the state has it (`UnchangedFilter`): its key, and its version when that
    /// is not the state's.
    public struct Unchanged: Sendable, Equatable {
        public var key: String
        /// The version read, when it is not the state's. (One enum, not a version and a flag: the
        /// struct stays 40 bytes, one per item of a no-change run.)
        private var read: VersionRead
        /// A new `ItemState.rowFrom` to keep (`RowFact`); 0 when the state's is current.
        public var rowFrom: UInt64

        private enum VersionRead: Sendable, Equatable {
            case current
            case changed(String?)
        }

        public init(key: String, version: String?, versionChanged: Bool, rowFrom: UInt64 = 0) {
            self.key = key
            self.read = versionChanged ? .changed(version) : .current
            self.rowFrom = rowFrom
        }

        /// The version read, when `versionChanged` (else the state's version is current).
        public var version: String? {
            if case .changed(let v) = read { return v }
            return nil
        }

        public var versionChanged: Bool {
            if case .changed = read { return true }
            return false
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
    public func contains(_ key: String) -> Bool { position(key) != nil }

    private func position(_ key: String) -> Int? {
        index.position(of: key) { $0 >= 0 ? items[$0].key : slim[~$0].key }
    }

    /// Runs `body` on the index with the table's keys readable (the index is out of `self`
    /// meanwhile, so reading the arrays does not overlap its mutation).
    private mutating func updateIndex<T>(_ body: (inout KeyIndex, (Int) -> String) -> T) -> T {
        var taken = KeyIndex()
        swap(&taken, &index)
        defer { swap(&taken, &index) }
        return body(&taken) { $0 >= 0 ? self.items[$0].key : self.slim[~$0].key }
    }

    private mutating func setPosition(_ key: String, _ position: Int) {
        updateIndex { index, keyAt in index.set(key, to: position, keyAt: keyAt) }
    }

    /// The unchanged item under `key` (nil when none, or when the item is held whole).
    public func unchanged(_ key: String) -> Unchanged? {
        guard let i = position(key), i < 0 else { return nil }
        return slim[~i]
    }

    /// What is held under `key`: the whole item, or the unchanged one (one lookup for both).
    func lookup(_ key: String) -> (whole: SourceItem?, unchanged: Unchanged?) {
        guard let i = position(key) else { return (nil, nil) }
        return i >= 0 ? (items[i], nil) : (nil, slim[~i])
    }

    /// The whole item under `key` (nil for an unchanged one); setting an item replaces whatever
    /// is held under its key, setting nil removes it.
    public subscript(key: String) -> SourceItem? {
        get {
            position(key).flatMap { $0 >= 0 ? items[$0] : nil }
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
        let held = position(item.key)
        if let i = held, i >= 0 {
            items[i] = item
            return false
        }
        if held != nil { remove(item.key) }
        items.append(item)
        setPosition(item.key, items.count - 1)
        return held == nil
    }

    /// Holds `item` as unchanged, replacing whatever is held under its key; true when nothing was.
    @discardableResult
    public mutating func setUnchanged(_ item: Unchanged) -> Bool {
        // Most keys are new: one probe of the index finds the key's place and takes it.
        slim.append(item)
        let slot = ~(slim.count - 1)
        guard let held = updateIndex({ index, keyAt in index.insertIfAbsent(item.key, at: slot, keyAt: keyAt) })
        else { return true }
        slim.removeLast()
        if held < 0 {
            slim[~held] = item
            return false
        }
        remove(item.key)
        slim.append(item)
        setPosition(item.key, ~(slim.count - 1))
        return false
    }

    /// Removes `key`'s item; the last item of its array moves into its place.
    private mutating func remove(_ key: String) {
        guard let i = updateIndex({ index, keyAt in index.remove(key, keyAt: keyAt) }) else { return }
        // The index is told of the move while both places still hold the moved item.
        if i >= 0 {
            if i < items.count - 1 { setPosition(items[items.count - 1].key, i) }
            items.swapAt(i, items.count - 1)
            items.removeLast()
        } else {
            if ~i < slim.count - 1 { setPosition(slim[slim.count - 1].key, i) }
            slim.swapAt(~i, slim.count - 1)
            slim.removeLast()
        }
    }

    /// Makes room for `n` items (room not used costs address space, not memory: pages never
    /// written are not resident).
    public mutating func reserveCapacity(_ n: Int) {
        items.reserveCapacity(n)
        updateIndex { index, keyAt in index.reserve(n, keyAt: keyAt) }
    }

    /// Makes room for `n` unchanged items (and a few whole ones in the index).
    mutating func reserveUnchanged(_ n: Int) {
        slim.reserveCapacity(n)
        updateIndex { index, keyAt in index.reserve(n + n / 8, keyAt: keyAt) }
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

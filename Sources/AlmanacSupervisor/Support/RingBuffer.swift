/// The last `capacity` elements appended, oldest first: a profile's recent log lines.
public struct RingBuffer<Element: Sendable>: Sendable {
    public let capacity: Int
    private var storage: [Element] = []
    private var head = 0

    public init(capacity: Int) {
        precondition(capacity > 0)
        self.capacity = capacity
    }

    public mutating func append(_ element: Element) {
        if storage.count < capacity {
            storage.append(element)
        } else {
            storage[head] = element
            head = (head + 1) % capacity
        }
    }

    public var count: Int { storage.count }

    /// Every element, oldest first.
    public var elements: [Element] { Array(storage[head...] + storage[..<head]) }

    /// The newest `n` elements, oldest first.
    public func suffix(_ n: Int) -> [Element] { Array(elements.suffix(max(0, n))) }
}

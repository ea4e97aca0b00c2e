import Foundation

/// A queue one thread fills and another drains, with a terminal state: how an HTTP handler
/// thread waits for a worker's messages (a waited sync, a connection test, a followed log).
public final class MailBox<Item: Sendable>: @unchecked Sendable {  // @unchecked: all state under `condition`
    public enum Next: Sendable {
        case item(Item)
        /// Closed; `error` says why when it was not a normal end.
        case closed(error: String?)
        case timedOut
    }

    private let condition = NSCondition()
    private var items: [Item] = []
    private var closed = false
    private var closeError: String?
    /// Run ids a waited sync follows (set under the supervisor's lock only).
    public var runIDs: Set<String> = []
    /// What the mailbox was opened for (`sync`, `test_connection`, `logs`).
    public let kind: String

    public init(kind: String) { self.kind = kind }

    public func push(_ item: Item) {
        condition.lock()
        if !closed { items.append(item) }
        condition.signal()
        condition.unlock()
    }

    public func close(error: String? = nil) {
        condition.lock()
        if !closed {
            closed = true
            closeError = error
        }
        condition.broadcast()
        condition.unlock()
    }

    public var isClosed: Bool {
        condition.lock()
        defer { condition.unlock() }
        return closed
    }

    /// The next item, waiting up to `timeout` seconds; queued items are delivered before `closed`.
    public func next(timeout: Double) -> Next {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty && !closed {
            if !condition.wait(until: deadline) { return items.isEmpty && !closed ? .timedOut : take() }
        }
        return take()
    }

    private func take() -> Next {
        if !items.isEmpty { return .item(items.removeFirst()) }
        return .closed(error: closeError)
    }
}

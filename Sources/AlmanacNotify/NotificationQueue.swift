import Foundation

/// Sends notifications one after the other on a thread of its own, so that a caller with an event
/// loop (the daemon) never waits for a command, a webhook or a mail server.
public final class NotificationQueue: Sendable {
    private let queue = DispatchQueue(label: "almanac.notify")

    public init() {}

    /// Sends `notification` (when `notifier` wants its event) later, then hands the channels'
    /// outcomes to `done` on the queue's thread.
    public func send(
        _ notification: Notification, with notifier: Notifier,
        done: @escaping @Sendable ([Notifier.Outcome]) -> Void = { _ in }
    ) {
        guard notifier.wants(notification.event) else { return }
        queue.async { done(notifier.send(notification)) }
    }

    /// Waits until every notification handed in so far has been sent (daemon shutdown).
    public func drain() { queue.sync {} }
}

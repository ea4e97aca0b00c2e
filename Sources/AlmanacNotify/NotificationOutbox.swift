import AlmanacCore
import Foundation
import Logging

/// A notice some channel did not take (the command failed, the webhook kept failing, the mail
/// server refused), kept in the notification state file until that channel takes it.
public struct PendingNotice: Sendable, Codable, Hashable {
    public var notification: Notification
    /// The channels that still have to take it.
    public var channels: [String]
    /// Failed deliveries so far, counting the first.
    public var attempts: Int
}

/// The notices waiting for a channel, oldest first. After each run the worker offers them again
/// before it sends anything new, so a receiver gets a job's notices in the order they were made;
/// a channel that fails again is not tried further in that round (one failed attempt per channel
/// per run, so a dead receiver never holds the job thread long). At most `capacity` notices wait;
/// beyond that the oldest are dropped, and the log says so.
struct NotificationOutbox {
    static let capacity = 100
    private(set) var pending: [PendingNotice]

    init(_ pending: [PendingNotice]) { self.pending = pending }

    /// Offers every waiting notice to the channels that still owe it. Returns the channels that
    /// failed in this round (new notices skip them and wait) and whether anything changed.
    mutating func redeliver(with notifier: Notifier) -> (down: Set<String>, changed: Bool) {
        let configured = Set(notifier.channels)
        var down: Set<String> = []
        var changed = false
        var kept: [PendingNotice] = []
        for var notice in pending {
            // A channel removed from `[notify]` no longer owes anything.
            let owed = notice.channels.filter(configured.contains)
            let now = Set(owed).subtracting(down)
            var failed = owed.filter(down.contains)
            if !now.isEmpty {
                let outcomes = notifier.send(notice.notification, only: now)
                failed += outcomes.filter { $0.error != nil }.map(\.channel)
                down.formUnion(outcomes.filter { $0.error != nil }.map(\.channel))
                notice.attempts += 1
            }
            if failed.count != notice.channels.count || !now.isEmpty { changed = true }
            notice.channels = failed.sorted()
            if !failed.isEmpty { kept.append(notice) }
        }
        pending = kept
        return (down, changed)
    }

    /// Keeps `notification` for the channels in `failed`, dropping the oldest notices beyond
    /// `capacity`.
    mutating func keep(_ notification: Notification, for failed: [String], logger: Logger) {
        guard !failed.isEmpty else { return }
        pending.append(PendingNotice(notification: notification, channels: failed.sorted(), attempts: 1))
        let excess = pending.count - Self.capacity
        if excess > 0 {
            pending.removeFirst(excess)
            logger.warning(
                "dropped undelivered notifications: more than \(Self.capacity) wait",
                metadata: ["dropped": "\(excess)"])
        }
    }
}

import AlmanacCore
import AlmanacNotify
import Foundation

/// The supervisor's notifications (README "Notifications"): `fatal` when a worker reaches the
/// restart limit, `invalid` when a profile's file (or its worker, exit 78) reports a
/// configuration error. Sent with the last valid version's `[notify]` settings, once per
/// occurrence, on the notification queue's thread; each channel's outcome is logged with the
/// profile. Called under `lock`.
extension Supervisor {
    func notifyTrouble(_ slot: WorkerSlot, _ event: NotificationEvent, code: ErrorCode, _ message: String) {
        guard slot.notified != event, let profile = slot.profile, let config = profile.notify else { return }
        slot.notified = event
        let notification = Notification(
            event: event, profile: slot.name, since: Date(),
            error: .init(code: code.rawValue, message: message),
            retry: event == .fatal ? "almanac restart \(slot.name)" : "almanac check \(slot.path)")
        let notifier = Notifier(profile: slot.name, config: config, logger: nil)
        notifications.send(notification, with: notifier) { [log, name = slot.name] outcomes in
            for o in outcomes {
                if let e = o.error {
                    log.log(
                        "warning", "notification not delivered: \(e.message)",
                        ["profile": name, "event": event.rawValue, "channel": o.channel, "error.code": e.code.rawValue])
                } else {
                    log.log(
                        "info", "notification sent",
                        ["profile": name, "event": event.rawValue, "channel": o.channel, "result": o.detail])
                }
            }
        }
    }
}

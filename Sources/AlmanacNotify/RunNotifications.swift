import AlmanacCore
import Foundation
import Logging

/// The worker's side of notifications: after each finished run, the job's transition
/// (`JobNotifyState`) and, when one is due and wanted, the notification, sent before the state
/// is saved (`NotifyStateFile`), so a worker stopped in between sends it again rather than never.
/// Used from the job thread only.
public final class RunNotifications {
    let notifier: Notifier
    let file: NotifyStateFile
    let logger: Logger
    /// The profile, to name the connection a `reconnect_required` report asks to authorize again.
    let profile: Profile?
    private var jobs: [String: JobNotifyState]
    private var outbox: NotificationOutbox

    /// Nil when the profile has no `[notify]` table.
    public convenience init?(profile: Profile, stateDirectory: String, logger: Logger) {
        guard let config = profile.notify else { return nil }
        self.init(
            profile: profile.name, config: config, stateDirectory: stateDirectory, logger: logger, definition: profile)
    }

    public init(
        profile: String, config: NotifyConfig, stateDirectory: String, logger: Logger, definition: Profile? = nil
    ) {
        notifier = Notifier(profile: profile, config: config, logger: logger)
        file = NotifyStateFile(stateDirectory: stateDirectory, profile: profile)
        self.logger = logger
        self.profile = definition
        let loaded = file.load()
        jobs = loaded.jobs
        outbox = NotificationOutbox(loaded.pending)
    }

    /// The connection of `report`'s job that needs `almanac auth` again, as (kind, name): of the
    /// job's connections whose connector signs in with OAuth, the side whose read failed when the
    /// run says which; nil when that leaves none or two.
    public static func connectionToReauthorize(_ report: RunReport, in profile: Profile) -> (
        kind: String, name: String
    )? {
        guard let job = profile.jobs.first(where: { $0.name == report.job }) else { return nil }
        var names = Set([job.from, job.to])
        if let side = report.failedSide { names = [side == "from" ? job.from : job.to] }
        let candidates = names.compactMap { name in
            profile.connections[name].flatMap { Self.oauthKinds.contains($0.connector) ? ($0.connector, name) : nil }
        }
        return candidates.count == 1 ? candidates[0] : nil
    }

    /// The connector kinds `almanac auth` authorizes.
    static let oauthKinds: Set<String> = ["google", "cronofy"]

    /// Handles a finished run: offers the notices still owed to a channel again, sends what the
    /// run's transition calls for (and a `conflict` notice when the job's schedule conflicts
    /// changed), and saves the new state.
    public func runFinished(_ report: RunReport, now: Date = Date()) {
        let before = jobs[report.job] ?? JobNotifyState()
        let next = before.next(after: report, now: now, repeatInterval: notifier.config.repeatInterval)
        var after = next.state
        let conflict = Self.conflictNotice(after: report, seen: &after, before: before)
        var (down, changed) = outbox.redeliver(with: notifier)
        for case var notification? in [next.notification, conflict] where notifier.wants(notification.event) {
            if notification.event == .reconnectRequired, let profile,
                let connection = Self.connectionToReauthorize(report, in: profile)
            {
                notification.retry = Notification.reauthorize(
                    report, kind: connection.kind, connection: connection.name)
            }
            let now = Set(notifier.channels).subtracting(down)
            let outcomes = now.isEmpty ? [] : notifier.send(notification, only: now)
            let failed = outcomes.filter { $0.error != nil }.map(\.channel) + notifier.channels.filter(down.contains)
            outbox.keep(notification, for: failed, logger: logger)
            changed = changed || !failed.isEmpty
        }
        guard after != before || changed else { return }
        jobs[report.job] = after
        do {
            try file.save(jobs, pending: outbox.pending)
        } catch {
            logger.warning(
                "cannot save the notification state; a restart may send a notice again",
                metadata: ["file": "\(file.path)", "error": "\(error)"])
        }
    }
}

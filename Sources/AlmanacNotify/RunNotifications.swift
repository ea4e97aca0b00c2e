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
    private var jobs: [String: JobNotifyState]

    /// Nil when the profile has no `[notify]` table.
    public convenience init?(profile: Profile, stateDirectory: String, logger: Logger) {
        guard let config = profile.notify else { return nil }
        self.init(profile: profile.name, config: config, stateDirectory: stateDirectory, logger: logger)
    }

    public init(profile: String, config: NotifyConfig, stateDirectory: String, logger: Logger) {
        notifier = Notifier(profile: profile, config: config, logger: logger)
        file = NotifyStateFile(stateDirectory: stateDirectory, profile: profile)
        self.logger = logger
        jobs = file.load()
    }

    /// Handles a finished run: sends what its transition calls for and saves the new state.
    public func runFinished(_ report: RunReport, now: Date = Date()) {
        let before = jobs[report.job] ?? JobNotifyState()
        let (after, notification) = before.next(
            after: report, now: now, repeatInterval: notifier.config.repeatInterval)
        if let notification, notifier.wants(notification.event) { notifier.send(notification) }
        guard after != before else { return }
        jobs[report.job] = after
        do {
            try file.save(jobs)
        } catch {
            logger.warning(
                "cannot save the notification state; a restart may send a notice again",
                metadata: ["file": "\(file.path)", "error": "\(error)"])
        }
    }
}

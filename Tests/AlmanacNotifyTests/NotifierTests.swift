import AlmanacCore
import AlmanacNotify
import Foundation
import Logging
import Testing

/// `RunNotifications` and `Notifier` with a real command: `on` filters, the state file carries a
/// failure over to a new instance, `command_timeout` kills.
@Suite("Notifier", .timeLimit(.minutes(10)))
struct NotifierTests {
    final class Directory {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("notifier-\(UUID())").path
        init() { try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
        deinit { try? FileManager.default.removeItem(atPath: path) }
        var received: [String] {
            let text = (try? String(contentsOfFile: path + "/got", encoding: .utf8)) ?? ""
            return text.split(separator: "\n").compactMap {
                (try? Notification.decode(Data($0.utf8)))?.event.rawValue
            }
        }
    }

    static func report(_ result: RunResult, dryRun: Bool = false) -> RunReport {
        RunReport(
            runID: UUID().uuidString, profile: "clinic", job: "main", trigger: .manual, dryRun: dryRun, started: Date(),
            finished: Date(), result: result, errorCode: result == .failed ? "csv.path_missing" : nil,
            error: result == .failed ? "missing" : nil)
    }

    static func config(_ dir: Directory, on: Set<NotifyConfig.Event>) -> NotifyConfig {
        NotifyConfig(on: on, command: ["/bin/sh", "-c", "cat >> \(dir.path)/got; echo >> \(dir.path)/got"])
    }

    @Test func onSelectsTheEventsAndTheStateOutlivesTheInstance() {
        let dir = Directory()
        let config = Self.config(dir, on: [.recovery])
        let logger = Logger(label: "test")
        RunNotifications(profile: "clinic", config: config, stateDirectory: dir.path, logger: logger)
            .runFinished(Self.report(.failed))
        #expect(dir.received == [])  // failure is not in `on`, but the job is failed now
        let restarted = RunNotifications(profile: "clinic", config: config, stateDirectory: dir.path, logger: logger)
        restarted.runFinished(Self.report(.success, dryRun: true))
        #expect(dir.received == [])
        restarted.runFinished(Self.report(.success))
        restarted.runFinished(Self.report(.success))
        #expect(dir.received == ["recovery"])
    }

    /// A channel that fails keeps the notice: the next runs offer it again, before anything new,
    /// across a restart, until the channel takes it. One failed attempt per run while it is down.
    @Test func anUndeliveredNoticeIsOfferedAgainInOrder() throws {
        let dir = Directory()
        let gate = dir.path + "/receiver-up"
        let attempts = dir.path + "/attempts"
        let config = NotifyConfig(
            on: [.failure, .recovery],
            command: [
                "/bin/sh", "-c",
                "echo >> \(attempts); test -e \(gate) || exit 3; cat >> \(dir.path)/got; echo >> \(dir.path)/got",
            ])
        let logger = Logger(label: "test")
        func count() -> Int {
            ((try? String(contentsOfFile: attempts, encoding: .utf8)) ?? "").filter { $0 == "\n" }.count
        }
        let first = RunNotifications(profile: "clinic", config: config, stateDirectory: dir.path, logger: logger)
        first.runFinished(Self.report(.failed))
        #expect(count() == 1)
        first.runFinished(Self.report(.failed))  // still down: the failure is offered once, nothing new is due
        #expect(count() == 2)
        first.runFinished(Self.report(.success))  // the failure fails again; the recovery waits behind it
        #expect(count() == 3)
        #expect(dir.received == [])
        let state = try String(contentsOfFile: dir.path + "/clinic.notify.json", encoding: .utf8)
        #expect(state.contains("\"pending\""))

        #expect(FileManager.default.createFile(atPath: gate, contents: nil))
        let restarted = RunNotifications(profile: "clinic", config: config, stateDirectory: dir.path, logger: logger)
        restarted.runFinished(Self.report(.success))
        #expect(dir.received == ["failure", "recovery"])
        restarted.runFinished(Self.report(.success))
        #expect(dir.received == ["failure", "recovery"])
        let after = try String(contentsOfFile: dir.path + "/clinic.notify.json", encoding: .utf8)
        #expect(!after.contains("\"pending\""))
    }

    @Test func commandTimeoutAndOutcomes() {
        let dir = Directory()
        var config = NotifyConfig(command: ["/bin/sleep", "20"], commandTimeout: .seconds(1))
        let slow = Notifier(profile: "clinic", config: config, logger: nil).send(
            Notification(event: .test, profile: "clinic"))
        #expect(slow.map(\.channel) == ["command"])
        #expect(slow.first?.error?.code == .notifyCommandFailed)
        config = Self.config(dir, on: [])
        let fine = Notifier(profile: "clinic", config: config, logger: nil).send(
            Notification(event: .test, profile: "clinic"))
        #expect(fine.first?.error == nil && fine.first?.detail == "exit status 0")
        #expect(dir.received == ["test"])  // `test` goes out whatever `on` says
        #expect(!Notifier(profile: "clinic", config: config, logger: nil).wants(.failure))
    }

    @Test func aMissingSecretFailsItsChannelOnly() {
        var table = ConfigTable()
        table["webhook_secret_env"] = .string("ALMANAC_TEST_UNSET_SECRET")
        let config = NotifyConfig(command: ["/bin/true"], webhook: "http://127.0.0.1:9/x", settings: table)
        let outcomes = Notifier(profile: "clinic", config: config, logger: nil, environment: [:]).send(
            Notification(event: .test, profile: "clinic"))
        #expect(outcomes.map(\.channel) == ["command", "webhook"])
        #expect(outcomes[0].error == nil)
        #expect(outcomes[1].error?.code == .configSecretMissing)
    }

    /// A `conflict` notice goes out when the job's set of conflicts changes, not on every run; an
    /// unchanged set after a restart is not sent again, and one that clears and comes back is.
    @Test func aConflictNoticeOnlyWhenTheSetChanges() {
        let dir = Directory()
        let config = Self.config(dir, on: [.conflict, .failure, .recovery])
        let logger = Logger(label: "test")
        func conflict(_ key: String) -> ScheduleConflict {
            let a = ConflictAppointment(
                keyFrom: key, keyTo: nil, title: nil, start: "2027-01-01T09:00:00Z", end: "2027-01-01T10:00:00Z",
                allDay: false)
            var b = a
            b.keyFrom = key + "-2"
            return ScheduleConflict(job: "main", field: "custom.room", value: "a", first: a, second: b)
        }
        func run(_ set: [ScheduleConflict]?, _ result: RunResult = .success) -> RunReport {
            var r = Self.report(result)
            r.conflicts = set.map(ConflictSummary.init)
            return r
        }
        var notify = RunNotifications(profile: "clinic", config: config, stateDirectory: dir.path, logger: logger)
        notify.runFinished(run([]))
        #expect(dir.received == [])  // none: nothing to tell
        notify.runFinished(run([conflict("x")]))
        notify.runFinished(run([conflict("x")]))
        #expect(dir.received == ["conflict"])
        notify = RunNotifications(profile: "clinic", config: config, stateDirectory: dir.path, logger: logger)
        notify.runFinished(run([conflict("x")]))
        notify.runFinished(run(nil, .failed))  // a failed run computes none: the set seen stays
        notify.runFinished(run([conflict("x")]))  // a recovery, but the same set
        #expect(dir.received == ["conflict", "failure", "recovery"])
        notify.runFinished(run([conflict("x"), conflict("y")]))
        notify.runFinished(run([]))
        notify.runFinished(run([conflict("x")]))
        #expect(dir.received == ["conflict", "failure", "recovery", "conflict", "conflict"])
    }
}

import Foundation
import Testing

@testable import AlmanacSupervisor

/// The worker state machine: every legal transition is taken, every other one is refused and
/// leaves the state as it was.
@Suite(.timeLimit(.minutes(10)))
struct WorkerLifecycleTests {
    /// Every (from, to) pair of distinct states, legal or not.
    static let pairs: [(WorkerState, WorkerState)] = WorkerState.allCases.flatMap { from in
        WorkerState.allCases.filter { $0 != from }.map { (from, $0) }
    }

    static let legal: Set<String> = [
        "starting>ready", "starting>stopping", "starting>backoff", "starting>fatal", "starting>invalid",
        "starting>disabled", "starting>stopped",
        "ready>idle", "ready>syncing", "ready>stopping", "ready>starting", "ready>backoff", "ready>fatal",
        "ready>invalid", "ready>disabled", "ready>stopped",
        "idle>ready", "idle>syncing", "idle>stopping", "idle>starting", "idle>backoff", "idle>fatal",
        "idle>invalid", "idle>disabled", "idle>stopped",
        "syncing>ready", "syncing>idle", "syncing>stopping", "syncing>starting", "syncing>backoff",
        "syncing>fatal", "syncing>invalid", "syncing>disabled", "syncing>stopped",
        "stopping>starting", "stopping>disabled", "stopping>stopped",
        "stopped>starting", "stopped>invalid", "stopped>disabled",
        "backoff>starting", "backoff>fatal", "backoff>invalid", "backoff>disabled",
        "fatal>starting", "fatal>backoff", "fatal>invalid", "fatal>disabled",
        "invalid>starting", "invalid>disabled",
        "disabled>starting", "disabled>invalid",
    ]

    @Test(arguments: pairs)
    func transition(from: WorkerState, to: WorkerState) {
        let t0 = Date(timeIntervalSince1970: 1_000)
        let t1 = Date(timeIntervalSince1970: 2_000)
        var lifecycle = WorkerLifecycle(state: from, since: t0)
        let allowed = Self.legal.contains("\(from.rawValue)>\(to.rawValue)")
        let took = lifecycle.enter(to, at: t1)
        #expect(took == allowed)
        #expect(lifecycle.state == (allowed ? to : from))
        #expect(lifecycle.since == (allowed ? t1 : t0))
    }

    @Test(arguments: WorkerState.allCases)
    func enteringTheSameStateChangesNothing(state: WorkerState) {
        let t0 = Date(timeIntervalSince1970: 1_000)
        var lifecycle = WorkerLifecycle(state: state, since: t0)
        let took = lifecycle.enter(state, at: Date(timeIntervalSince1970: 2_000))
        #expect(took)
        #expect(lifecycle.state == state && lifecycle.since == t0)
    }

    @Test func aNewSlotIsStopped() {
        #expect(WorkerLifecycle().state == .stopped)
    }

    @Test func onlyStatesWithAProcessStop() {
        let into = Set(WorkerState.allCases.filter { WorkerLifecycle.allows($0, .stopping) && $0 != .stopping })
        #expect(into == Set(WorkerState.allCases.filter { $0.hasProcess && $0 != .stopping }))
    }

    /// The whole life of a worker as the supervisor drives it, through `WorkerSlot`.
    @Test func aSlotFollowsAWorkersLife() {
        let slot = WorkerSlot(name: "a", path: "/p/a.toml", policy: RestartPolicy(), disabledByMarker: false)
        var refused: [String] = []
        slot.illegalTransition = { refused.append($0) }
        let life: [WorkerState] = [
            .starting, .ready, .syncing, .idle, .stopping, .starting, .backoff, .starting, .invalid,
        ]
        for s in life {
            slot.enter(s)
            #expect(slot.state == s)
        }
        #expect(refused.isEmpty)
    }

    @Test func aSlotRefusesAnIllegalTransitionAndSaysSo() {
        let slot = WorkerSlot(name: "a", path: "/p/a.toml", policy: RestartPolicy(), disabledByMarker: false)
        var refused: [String] = []
        slot.illegalTransition = { refused.append($0) }
        let since = slot.stateSince
        slot.enter(.syncing)
        #expect(slot.state == .stopped && slot.stateSince == since)
        #expect(refused == ["illegal worker state transition: stopped → syncing"])
    }
}

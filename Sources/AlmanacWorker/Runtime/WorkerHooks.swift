import AlmanacCore

/// Where a test harness changes what a worker does, to see how the supervisor copes with a
/// worker that exits at once, stops its heartbeat, writes garbage or runs slowly.
///
/// `almanac worker` runs with `NoWorkerHooks`; a harness starts a worker executable of its own
/// that passes `WorkerRuntime` hooks it made. Every requirement has a default that changes
/// nothing, so a harness implements only what it needs.
public protocol WorkerHooks: Sendable {
    /// Called once `hello` is sent: an exit code makes the worker exit with it at once.
    func exitCode(afterHello profile: Profile) -> Int32?
    /// Called on the command loop once `ready` is sent; `write` puts bytes on the event pipe as
    /// they are (no framing added).
    func afterReady(write: (_ bytes: [UInt8]) -> Void)
    /// False: the command loop never sends a heartbeat (it still answers commands).
    var sendsHeartbeats: Bool { get }
    /// Called on the job thread when a run of `job` has begun (after `run_started`), before it
    /// does any work.
    func beforeRun(job: String)
}

extension WorkerHooks {
    public func exitCode(afterHello profile: Profile) -> Int32? { nil }
    public func afterReady(write: (_ bytes: [UInt8]) -> Void) {}
    public var sendsHeartbeats: Bool { true }
    public func beforeRun(job: String) {}
}

/// The hooks of the product worker: none.
public struct NoWorkerHooks: WorkerHooks {
    public init() {}
}

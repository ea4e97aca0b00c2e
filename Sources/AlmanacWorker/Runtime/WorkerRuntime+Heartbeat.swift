import AlmanacCore
import AlmanacWire
import CProcessControl
import Foundation
import Glibc

/// The heartbeat (ARCHITECTURE.md §6): every `heartbeatInterval` while a job runs, every
/// `idleHeartbeatInterval` (3 × longer by default) while none does. The supervisor kills a worker
/// silent for 3 of the intervals that apply to the state it last heard.
extension WorkerRuntime {
    /// The interval of the next heartbeat: the idle one while no job runs, once the two heartbeats
    /// that release pages after start-up or a run are sent (at the shorter interval, as before:
    /// a thousand workers releasing their pages 15 s apart would keep the idle tree busy longer).
    func heartbeatInterval() -> Double {
        progressLock.lock()
        let idle = current == nil && releaseRequests == 0
        progressLock.unlock()
        return idle ? options.idleHeartbeatInterval ?? 3 * options.heartbeatInterval : options.heartbeatInterval
    }

    func sendStatus() {
        progressLock.lock()
        let c = current
        progressLock.unlock()
        guard let c else {
            events.sendRaw(IdleHeartbeat.line(nextRun: nextRun))  // the idle path: no JSONEncoder
            return
        }
        events.send(.status(.init(state: "syncing", job: c.job, progress: c.progress, nextRun: nextRun)))
    }

    /// Sets the running job (job thread); wakes the command loop when a run starts or ends.
    func setCurrent(_ value: (job: String, progress: RunProgress?)?) {
        progressLock.lock()
        let changed = (current == nil) != (value == nil)
        current = value
        progressLock.unlock()
        if changed && wake.write >= 0 {
            var one: UInt8 = 1
            _ = write(wake.write, &one, 1)
        }
    }

    /// Empties the wake pipe (command loop).
    func drainWake() {
        var bytes = [UInt8](repeating: 0, count: 64)
        while read(wake.read, &bytes, bytes.count) > 0 {}
    }

    /// Drops the clean pages of the binary and libraries that start-up or the last run touched
    /// from the resident set, so an idle worker's RSS holds only what its loop touches again.
    /// Called by the command loop right after a heartbeat (which has then faulted in the idle
    /// path once): at start-up and after each run. A worker forked from the template releases the
    /// mappings the template found clean (`almanac_release_remembered_file_pages`, which reads
    /// /proc/self/maps) rather than read /proc/self/smaps itself: walking the page tables of every
    /// mapping was a tenth of the CPU of 1,000 workers starting (an A/B run of the start: 9.5 and
    /// 9.8 s with that walk, 8.1 and 9.0 s without any release).
    func releaseIdlePages() {
        var kb = almanac_release_remembered_file_pages()
        if kb < 0 { kb = almanac_release_clean_file_pages() }
        logger.debug("released clean file-backed pages", metadata: ["kb": "\(kb)"])
    }

    /// True for the first two heartbeats after start-up and after each run.
    func takeReleaseRequest() -> Bool {
        progressLock.lock()
        defer { progressLock.unlock() }
        guard releaseRequests > 0 else { return false }
        releaseRequests -= 1
        return true
    }

    func requestRelease() {
        progressLock.lock()
        releaseRequests = 2
        progressLock.unlock()
    }
}

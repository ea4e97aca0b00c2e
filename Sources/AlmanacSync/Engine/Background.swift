import Foundation
import Synchronization

/// Work run on a thread of its own (blocking work, such as a state load, while the connectors
/// read on the caller's thread), its result taken once it is needed.
final class Background<Value: Sendable>: Sendable {
    private let result = Mutex<Result<Value, any Error>?>(nil)
    private let done = DispatchSemaphore(value: 0)

    /// Starts `work` on a new thread.
    init(_ work: @escaping @Sendable () throws -> Value) {
        let thread = Thread { [self] in
            let outcome = Result { try work() }
            result.withLock { $0 = outcome }
            done.signal()
        }
        thread.start()
    }

    /// Waits for the work to end, then gives its value or throws its error (every call the same).
    func join() throws -> Value {
        if let outcome = result.withLock({ $0 }) { return try outcome.get() }
        done.wait()
        done.signal()  // any later or concurrent caller passes too
        return try result.withLock { $0 }!.get()
    }
}

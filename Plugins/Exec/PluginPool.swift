import Foundation
import Synchronization

/// The plugin processes of this worker that are up but not in use, one per connection: a run
/// takes its connection's process out (or starts one) and puts it back when it ends, if the
/// connection says `reuse = true` and the process is still sound. A process is never shared by
/// two connectors at once.
enum PluginPool {
    struct Entry: Sendable {
        var process: PluginProcess
        /// The `configure` message it last accepted (its bytes), to skip sending the same again.
        var configured: [UInt8]?
    }

    private static let idle = Mutex<[String: Entry]>([:])
    private static let exitHook = Mutex(false)

    /// Kills every kept process at exit: a plugin must not outlive its worker even when it does
    /// not exit at the end of its input.
    private static func killAtExit() {
        let first = exitHook.withLock { installed -> Bool in
            defer { installed = true }
            return !installed
        }
        guard first else { return }
        atexit {
            let kept = PluginPool.idle.withLock { idle -> [Entry] in
                defer { idle.removeAll() }
                return Array(idle.values)
            }
            for entry in kept { entry.process.kill() }
        }
    }

    static func take(_ key: String) -> Entry? {
        idle.withLock { $0.removeValue(forKey: key) }
    }

    static func put(_ key: String, _ entry: Entry) {
        killAtExit()
        let displaced = idle.withLock { idle -> Entry? in
            let old = idle[key]
            idle[key] = entry
            return old
        }
        displaced?.process.shutdown()
    }
}

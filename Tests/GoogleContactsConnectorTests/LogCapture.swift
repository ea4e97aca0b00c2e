import Foundation
import Logging

/// Log records kept in memory, for tests that check what a connector logs (never bootstrapped:
/// handed to one `Logger`).
final class LogCapture: @unchecked Sendable {
    // @unchecked: `records` is guarded by `lock`.
    struct Record {
        var level: Logger.Level
        var message: String
        var metadata: Logger.Metadata
    }

    private let lock = NSLock()
    private var kept: [Record] = []

    var records: [Record] { lock.withLock { kept } }

    func append(_ r: Record) { lock.withLock { kept.append(r) } }

    var logger: Logger {
        Logger(label: "capture") { _ in Handler(capture: self) }
    }

    struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            capture.append(
                Record(
                    level: event.level, message: "\(event.message)",
                    metadata: metadata.merging(event.metadata ?? [:]) { $1 }))
        }
    }
}

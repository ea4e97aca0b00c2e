import Foundation
import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// Forwards a plugin's stderr to the log, one entry per line (at most 4 KiB of a line kept), until
/// end of file. Runs on a thread of its own: a plugin that writes much to stderr while almanac
/// waits for its stdout must never block.
enum StderrForwarder {
    static func forward(fd: Int32, logger: Logger) {
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 8192)
        func emit(_ line: ArraySlice<UInt8>) {
            var text = String(decoding: line.prefix(4096), as: UTF8.self)
            if text.hasSuffix("\r") { text.removeLast() }
            logger.info("plugin: \(text)")
        }
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            pending.append(contentsOf: chunk[0..<n])
            var lineStart = pending.startIndex
            while let nl = pending[lineStart...].firstIndex(of: 0x0A) {
                emit(pending[lineStart..<nl])
                lineStart = nl + 1
            }
            pending.removeSubrange(pending.startIndex..<lineStart)
            if pending.count > 65_536 {
                emit(pending[...])
                pending.removeAll()
            }
        }
        if !pending.isEmpty { emit(pending[...]) }
    }
}

import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Finds the column of an element's start tag on a given line, reading the file forward once.
///
/// libxml2's reader keeps the line of each node but not its column, so item problems ask this
/// locator instead: it looks for the `occurrence`-th `<tag` on the line (byte columns, from 1).
/// Problems come in document order, so the file is read once however many there are; a request
/// behind the current position starts over.
final class LineLocator {
    private let path: String
    private var fd: Int32 = -1
    private var buffer = [UInt8](repeating: 0, count: 1 << 16)
    private var count = 0
    private var index = 0
    private var line = 1
    private var column = 1
    private var found = 0

    init(path: String) { self.path = path }

    deinit { if fd >= 0 { close(fd) } }

    private func restart() {
        if fd >= 0 { close(fd) }
        fd = open(path, O_RDONLY | O_CLOEXEC)
        count = 0
        index = 0
        line = 1
        column = 1
        found = 0
    }

    private func nextByte() -> UInt8? {
        if index == count {
            guard fd >= 0 else { return nil }
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { return nil }
            count = n
            index = 0
        }
        defer { index += 1 }
        return buffer[index]
    }

    /// The 1-based column of the `occurrence`-th (from 0) start tag `<tag` on line `target`.
    func column(line target: Int, tag: String, occurrence: Int) -> Int? {
        if fd < 0 || target < line || (target == line && occurrence < found) { restart() }
        guard fd >= 0 else { return nil }
        while line < target {
            guard let b = nextByte() else { return nil }
            if b == 0x0A { line += 1; column = 1; found = 0 } else { column += 1 }
        }
        let pattern = [0x3C] + Array(tag.utf8)
        var matched = 0
        var start = 0
        while let b = nextByte() {
            if b == 0x0A { line += 1; column = 1; found = 0; return nil }
            let here = column
            column += 1
            if matched == pattern.count {
                if b == 0x20 || b == 0x09 || b == 0x0D || b == 0x2F || b == 0x3E {
                    found += 1
                    if found > occurrence { return start }
                }
                matched = 0
            }
            if b == pattern[matched] {
                if matched == 0 { start = here }
                matched += 1
            } else {
                matched = b == 0x3C ? 1 : 0
                if matched == 1 { start = here }
            }
        }
        return nil
    }
}

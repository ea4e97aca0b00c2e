import CProcessControl
import Foundation
import Glibc
import Testing

/// The page release of workers forked from the template: the clean read-only mappings are found
/// once (`almanac_remember_clean_file_pages`, from /proc/self/smaps) and released in each fork
/// only where /proc/self/maps still shows the same mapping of the same file.
@Suite(.timeLimit(.minutes(10)))
struct CleanPagesTests {
    static let size = 16 * 4096

    /// The resident kilobytes of the mapping that starts at `address` (/proc/self/smaps).
    static func rss(at address: UnsafeRawPointer) -> Int? {
        guard let data = FileHandle(forReadingAtPath: "/proc/self/smaps")?.readDataToEndOfFile() else { return nil }
        let smaps = String(decoding: data, as: UTF8.self)
        let header = String(UInt(bitPattern: address), radix: 16) + "-"
        var inMapping = false
        for line in smaps.split(separator: "\n") {
            if line.hasPrefix(header) {
                inMapping = true
            } else if inMapping, line.hasPrefix("Rss:") {
                return Int(line.dropFirst(4).split(separator: " ")[0])
            }
        }
        return nil
    }

    /// Maps `path` read-only and private (at `at` when given) and reads every page of it.
    static func mapAndTouch(_ path: String, at: UnsafeMutableRawPointer? = nil) throws -> UnsafeMutableRawPointer {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        try #require(fd >= 0)
        defer { close(fd) }
        let flags = MAP_PRIVATE | (at == nil ? 0 : MAP_FIXED)
        let p = try #require(mmap(at, size, PROT_READ, flags, fd, 0))
        try #require(p != MAP_FAILED)
        var sum = 0
        for page in stride(from: 0, to: size, by: 4096) { sum &+= Int(p.load(fromByteOffset: page, as: UInt8.self)) }
        #expect(sum > 0)
        return p
    }

    @Test func aRememberedMappingIsReleasedAndOneReplacedSinceIsNot() throws {
        let dir = NSTemporaryDirectory() + "/almanac-clean-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for (name, byte) in [("a", UInt8(ascii: "a")), ("b", UInt8(ascii: "b")), ("c", UInt8(ascii: "c"))] {
            try Data(repeating: byte, count: Self.size).write(to: URL(fileURLWithPath: dir + "/" + name))
        }
        let a = try Self.mapAndTouch(dir + "/a")
        let b = try Self.mapAndTouch(dir + "/b")
        defer {
            munmap(a, Self.size)
            munmap(b, Self.size)
        }
        #expect(almanac_remember_clean_file_pages() > 0)
        // b's addresses now map another file: not the mapping that was found clean.
        #expect(try Self.mapAndTouch(dir + "/c", at: b) == b)
        #expect(Self.rss(at: a) == Self.size / 1024)
        #expect(Self.rss(at: b) == Self.size / 1024)

        #expect(almanac_release_remembered_file_pages() >= Self.size / 1024)
        #expect(Self.rss(at: a) == 0)
        #expect(Self.rss(at: b) == Self.size / 1024)
        // Released pages come back from the file.
        #expect(a.load(fromByteOffset: Self.size - 1, as: UInt8.self) == UInt8(ascii: "a"))
        #expect(b.load(fromByteOffset: 0, as: UInt8.self) == UInt8(ascii: "c"))
    }
}

import AlmanacCore
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The CSV reader's stages measured alone, for `contrib/bench/files` (not used by the connector):
/// how much of a read is tokenizing, how much decoding text, and how much mapping to events.
public enum CSVBenchmarkProbe {
    /// Splits every record of `path` (comma-separated, UTF-8) into fields; with `decode`, also
    /// makes a `String` of every field. Returns the number of records after the header.
    public static func records(_ path: String, decode: Bool) throws -> Int {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw AlmanacError(.csvUnreadable, "cannot open \(path)") }
        let scanner = CSVScanner(fd: fd, delimiter: 0x2C, fileName: path)
        var records = 0
        var bytes = 0
        while let record = try scanner.next() {
            guard case .fields = record else { continue }
            records += 1
            guard decode else { continue }
            for f in scanner.fields { bytes &+= scanner.withBytes(f) { TextEncoding.utf8.decode($0) }?.utf8.count ?? 0 }
        }
        return records - 1 + (bytes & 0)
    }
}

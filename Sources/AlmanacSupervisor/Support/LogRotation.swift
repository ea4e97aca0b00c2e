import Foundation

/// How a profile's log file rotates: when the next line would take `NAME.log` past `maxBytes`, it
/// becomes `NAME.log.1`, `.1` becomes `.2` and so on, keeping `files` files in all (`NAME.log`
/// included). `maxBytes` 0: never by size (logrotate moves the file and sends SIGUSR1).
public struct LogRotation: Sendable, Hashable, CustomStringConvertible {
    public var maxBytes: Int
    public var files: Int

    /// - Precondition: `maxBytes >= 0`, `files >= 1`.
    public init(maxBytes: Int = 10 << 20, files: Int = 5) {
        precondition(maxBytes >= 0 && files >= 1)
        self.maxBytes = maxBytes
        self.files = files
    }

    public var description: String { maxBytes == 0 ? "no size limit" : "\(maxBytes) bytes x \(files) files" }

    /// True when a file of `size` bytes must rotate before `adding` more (never an empty one).
    func isDue(size: Int, adding: Int) -> Bool { maxBytes > 0 && size > 0 && size + adding > maxBytes }

    /// The files of `base` that may exist, newest first: `base`, `base.1` … `base.(files-1)`.
    func paths(_ base: String) -> [String] { [base] + (1..<max(1, files)).map { "\(base).\($0)" } }

    /// The renames that rotate `base`, in order (the oldest file is overwritten); empty when only
    /// one file is kept: `base` is then removed.
    func renames(_ base: String) -> [(from: String, to: String)] {
        let p = paths(base)
        return stride(from: p.count - 1, to: 0, by: -1).map { (p[$0 - 1], p[$0]) }
    }

    /// A size: bytes, or with `K`, `M` or `G` (powers of 1024; `KiB`, `MiB`, `GiB` and `KB`, `MB`,
    /// `GB` too). Nil for anything else.
    public static func parseSize(_ text: String) -> Int? {
        var digits = Substring(text.trimmingCharacters(in: .whitespaces))
        var unit = 1
        for (suffixes, factor) in [
            (["GiB", "GB", "G"], 1 << 30), (["MiB", "MB", "M"], 1 << 20), (["KiB", "KB", "K"], 1 << 10),
        ] {
            if let s = suffixes.first(where: { digits.uppercased().hasSuffix($0.uppercased()) }) {
                digits = digits.dropLast(s.count)
                unit = factor
                break
            }
        }
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), let n = Int(digits), n >= 0 else { return nil }
        let (bytes, overflow) = n.multipliedReportingOverflow(by: unit)
        return overflow ? nil : bytes
    }
}

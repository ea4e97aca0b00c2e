/// What a file in the profiles directory is.
public enum ProfileFile: Hashable, Sendable {
    /// `NAME.toml` with a valid name.
    case profile(name: String)
    /// A visible `*.toml` whose stem is not a valid profile name: a mistake worth reporting.
    case badName(stem: String)
    /// Anything else (dotfiles, editor temporaries, other extensions): ignored silently.
    case ignored

    /// Classifies a file name (not a path).
    public init(fileName: String) {
        guard !fileName.hasPrefix("."), fileName.hasSuffix(".toml") else {
            self = .ignored
            return
        }
        let stem = String(fileName.dropLast(5))
        self = ProfileFile.isValidName(stem) ? .profile(name: stem) : .badName(stem: stem)
    }

    /// `^[A-Za-z0-9]{1,64}$`
    public static func isValidName(_ name: String) -> Bool {
        (1...64).contains(name.utf8.count)
            && name.utf8.allSatisfy {
                ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A)
            }
    }
}

import Foundation
import Glibc

/// The outcome of loading one file of a profiles directory.
public struct LoadedProfile: Sendable {
    /// The profile name (the file stem; not a valid name for `.badName` files).
    public var name: String
    public var path: String
    public var result: Result<Profile, ProfileErrors>
}

/// Every problem found in one profile file.
public struct ProfileErrors: Error, Sendable, Hashable {
    public var issues: [ConfigIssue]
    public init(_ issues: [ConfigIssue]) { self.issues = issues }
}

/// Reads and validates profile files. Validation reports every problem, not the first one.
public struct ProfileLoader: Sendable {
    /// The connector kinds a profile may name, each validating its own settings.
    public let connectors: [String: any ConnectorModule.Type]

    public init(connectors: [any ConnectorModule.Type]) {
        var map: [String: any ConnectorModule.Type] = [:]
        for c in connectors { map[c.kind] = c }
        self.connectors = map
    }

    /// Loads every visible `*.toml` in `directory`, sorted by file name. Files that are not
    /// profiles (dotfiles, editor temporaries, other extensions) are skipped; a `*.toml` with an
    /// invalid name is returned as a failure so it can be reported.
    public func loadDirectory(_ directory: String) throws -> [LoadedProfile] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        } catch {
            throw AlmanacError(
                .configUnreadable, "cannot list profiles directory \(directory): \(error.localizedDescription)",
                cause: error)
        }
        var out: [LoadedProfile] = []
        for fileName in names {
            let path = (directory as NSString).appendingPathComponent(fileName)
            switch ProfileFile(fileName: fileName) {
            case .ignored: continue
            case .profile, .badName: out.append(load(path: path))
            }
        }
        return out
    }

    /// Loads one profile file.
    ///
    /// - Parameter source: the file whose bytes (and permissions) to read instead of `path`: a
    ///   saved copy of the file (the daemon's last valid version). The profile still names `path`,
    ///   and settings naming files resolve against `path`'s directory.
    public func load(path: String, readingFrom source: String? = nil) -> LoadedProfile {
        let fileName = (path as NSString).lastPathComponent
        let stem = fileName.hasSuffix(".toml") ? String(fileName.dropLast(5)) : fileName
        let diagnostics = Diagnostics(file: path)
        if case .profile = ProfileFile(fileName: fileName) {
        } else {
            diagnostics.report(
                .configFileName, at: "",
                "not a profile file name: profiles are NAME.toml with NAME of 1 to 64 letters and digits (A-Z, a-z, 0-9), got \"\(fileName)\""
            )
        }
        guard let data = FileManager.default.contents(atPath: source ?? path) else {
            diagnostics.report(.configUnreadable, at: "", "cannot read the file: check that it exists and is readable")
            return LoadedProfile(name: stem, path: path, result: .failure(ProfileErrors(diagnostics.issues)))
        }
        guard let text = String(data: data, encoding: .utf8) else {
            diagnostics.report(.configSyntax, at: "", "not UTF-8 text")
            return LoadedProfile(name: stem, path: path, result: .failure(ProfileErrors(diagnostics.issues)))
        }
        let table: ConfigTable
        switch TOMLReader.parse(text, file: path) {
        case .success(let t): table = t
        case .failure(let issue):
            return LoadedProfile(name: stem, path: path, result: .failure(ProfileErrors(diagnostics.issues + [issue])))
        }
        let isPrivate = Self.isPrivate(path: source ?? path)
        let directory = URL(fileURLWithPath: (path as NSString).deletingLastPathComponent, isDirectory: true)
        let profile = ProfileValidator(
            connectors: connectors, diagnostics: diagnostics, fileIsPrivate: isPrivate,
            directory: directory
        )
        .validate(name: stem, path: path, table: table, hash: SHA256.hex(data))
        if let profile, diagnostics.issues.isEmpty {
            return LoadedProfile(name: stem, path: path, result: .success(profile))
        }
        return LoadedProfile(name: stem, path: path, result: .failure(ProfileErrors(diagnostics.issues)))
    }

    /// True when neither group nor others have any permission on the file (a symbolic link itself:
    /// never). `lstat`, not `FileManager.attributesOfItem`: every worker's start loads its profile.
    static func isPrivate(path: String) -> Bool {
        var st = stat()
        guard lstat(path, &st) == 0 else { return false }
        return st.st_mode & 0o077 == 0
    }
}

import Foundation

/// Default locations (ARCHITECTURE.md §8): system paths for root, XDG paths for everyone else.
public struct AlmanacPaths: Sendable, Hashable {
    public var profiles: String
    public var state: String
    public var runtime: String

    /// The templates directory beside a profiles directory: `…/templates.d` next to `…/profiles.d`
    /// (`/etc/almanac/templates.d`, `$XDG_CONFIG_HOME/almanac/templates.d`, `templates.d` in the repository).
    public static func templates(besideProfiles profiles: String) -> String {
        let parent = (profiles as NSString).deletingLastPathComponent
        return parent.isEmpty ? "templates.d" : parent + "/templates.d"
    }

    public init(profiles: String, state: String, runtime: String) {
        self.profiles = profiles
        self.state = state
        self.runtime = runtime
    }

    /// `/etc/almanac/profiles.d`, `/var/lib/almanac`, `/run/almanac` for root; otherwise
    /// `$XDG_CONFIG_HOME/almanac/profiles.d`, `$XDG_STATE_HOME/almanac`, `$XDG_RUNTIME_DIR/almanac`
    /// with the XDG fallbacks (`~/.config`, `~/.local/state`, `/tmp/almanac-UID`).
    public static func defaults(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        uid: UInt32 = getuid()
    ) -> AlmanacPaths {
        if uid == 0 {
            return AlmanacPaths(profiles: "/etc/almanac/profiles.d", state: "/var/lib/almanac", runtime: "/run/almanac")
        }
        let home = environment["HOME"] ?? NSHomeDirectory()
        func xdg(_ key: String, _ fallback: String) -> String {
            if let v = environment[key], v.hasPrefix("/") { return v }
            return fallback
        }
        let config = xdg("XDG_CONFIG_HOME", home + "/.config")
        let state = xdg("XDG_STATE_HOME", home + "/.local/state")
        let runtime = xdg("XDG_RUNTIME_DIR", "/tmp/almanac-\(uid)")
        return AlmanacPaths(
            profiles: config + "/almanac/profiles.d", state: state + "/almanac",
            runtime: runtime + (runtime.hasSuffix("almanac-\(uid)") ? "" : "/almanac"))
    }
}

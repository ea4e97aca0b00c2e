import Foundation
import Testing

/// A profiles directory laid out as the kubelet mounts a ConfigMap (contrib/kubernetes): each
/// `NAME.toml` a symlink to `..data/NAME.toml`, `..data` a symlink to a timestamped directory that
/// an update replaces by renaming a new `..data` over it. The daemon runs the profiles through the
/// symlinks, ignores the dot entries, and on a swap restarts only the worker whose text changed.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct ConfigMapMountTests {
    @Test func aSwapOfTheMountRestartsOnlyTheChangedProfile() throws {
        let h = try DaemonHarness()
        let fm = FileManager.default
        let writer = try DaemonHarness()  // writes the harness's profile text into a version's directory
        /// Writes the given profiles (harness profile text, `extra` lines per name) into a new
        /// timestamped directory of the mount and points `..data` at it, as the kubelet does.
        func publish(_ version: String, _ extra: [String: String]) throws {
            let dir = "..2026_12_03_14_00_\(version)"
            try fm.createDirectory(atPath: h.profiles + "/" + dir, withIntermediateDirectories: false)
            writer.sharedProfiles = h.profiles + "/" + dir
            for (name, lines) in extra { try writer.writeProfile(name, extra: lines) }
            try fm.createSymbolicLink(atPath: h.profiles + "/..data_tmp", withDestinationPath: dir)
            guard rename(h.profiles + "/..data_tmp", h.profiles + "/..data") == 0 else { throw POSIXError(.EIO) }
        }
        try publish("1", ["alpha": "", "beta": ""])
        for name in ["alpha", "beta"] {
            try fm.createSymbolicLink(atPath: h.profiles + "/\(name).toml", withDestinationPath: "..data/\(name).toml")
        }
        try h.start()
        let alpha = try h.waitReady("alpha")
        let beta = try h.waitReady("beta")
        #expect(try h.statuses().keys.sorted() == ["alpha", "beta"])

        try publish("2", ["alpha": "# edited", "beta": ""])
        try fm.removeItem(atPath: h.profiles + "/..2026_12_03_14_00_1")
        let alpha2 = try h.waitReady("alpha", timeout: 10, notPID: alpha)
        #expect(alpha2 != alpha)
        usleep(1_500_000)
        let after = try h.statuses()
        #expect(after["beta"]?.pid == beta, "beta's text did not change: its worker stays")
        #expect(after.keys.sorted() == ["alpha", "beta"])
        #expect(h.stop() == 0)
    }
}

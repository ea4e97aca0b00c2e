import Foundation
import Testing

/// `make install` and `make deb` (contrib/package): the files a service installation needs, made
/// from the built binary. Runs contrib/package/install on the binary under test with PREFIX in a
/// temporary directory, so `systemd-analyze verify` sees the unit's real paths.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct InstallTests {
    static let requireServices = ProcessInfo.processInfo.environment["ALMANAC_REQUIRE_SERVICES"] == "1"
    static let script = BinaryRunner.packageRoot.appendingPathComponent("contrib/package").path

    /// Every command path below `almanac` (["check"], ["auth"], …), hidden ones included, read from
    /// the binary's own `--experimental-dump-help`: new subcommands are covered without a change here.
    static func commandPaths() throws -> [(path: [String], longOptions: [String])] {
        let dump = try BinaryRunner.run(["--experimental-dump-help"])
        #expect(dump.status == 0)
        let json = try JSONSerialization.jsonObject(with: Data(dump.stdout.utf8)) as? [String: Any]
        var found: [(path: [String], longOptions: [String])] = []
        func walk(_ command: [String: Any], _ path: [String]) {
            for sub in command["subcommands"] as? [[String: Any]] ?? [] {
                guard let name = sub["commandName"] as? String else { continue }
                let options = (sub["arguments"] as? [[String: Any]] ?? []).filter {
                    $0["shouldDisplay"] as? Bool != false
                }
                .flatMap { $0["names"] as? [[String: Any]] ?? [] }
                .filter { $0["kind"] as? String == "long" }.compactMap { $0["name"] as? String }
                found.append((path + [name], options))
                walk(sub, path + [name])
            }
        }
        walk(try #require(json?["command"] as? [String: Any]), [])
        return found
    }

    static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws
        -> BinaryRunner.Output
    {
        try BinaryRunner.run(arguments, environment: environment, executable: executable)
    }

    @Test func installMakesManPagesCompletionsAndAVerifiedUnit() throws {
        let dir = TempDirectory("install")
        let prefix = dir.path + "/usr"
        let install = try Self.run(
            Self.script + "/install", [BinaryRunner.almanac],
            environment: ["PREFIX": prefix, "SYSCONFDIR": dir.path + "/etc", "DESTDIR": ""])
        try #require(install.status == 0, "\(install.stderr)")

        // The binary: stripped, its symbols in a file the debuglink names.
        let bin = prefix + "/bin/almanac"
        let version = try Self.run(bin, ["--version"])
        let built = try BinaryRunner.run(["--version"])
        #expect(version.status == 0 && version.stdout == built.stdout)
        let sections = try Self.run("/usr/bin/readelf", ["-S", "-W", bin]).stdout
        #expect(sections.contains(".gnu_debuglink") && !sections.contains(".symtab"), "\(sections)")
        let debug = prefix + "/lib/debug" + prefix + "/bin/almanac.debug"
        let debugSections = try Self.run("/usr/bin/readelf", ["-S", "-W", debug]).stdout
        #expect(debugSections.contains(".symtab"))
        let debuglink = try Self.run("/usr/bin/readelf", ["-p", ".gnu_debuglink", bin]).stdout
        #expect(debuglink.contains("almanac.debug"))

        // One man page per command, rendered by man(1); each lists the command's options.
        let manDir = prefix + "/share/man/man1"
        let commands = try Self.commandPaths()
        #expect(commands.contains { $0.path == ["check"] } && commands.contains { $0.path == ["daemon"] })
        let pages = Set(try FileManager.default.contentsOfDirectory(atPath: manDir))
        #expect(pages == Set(["almanac.1"] + commands.map { "almanac." + $0.path.joined(separator: ".") + ".1" }))
        let render = ["MANPAGER": "cat", "MANWIDTH": "200", "MAN_KEEP_FORMATTING": ""]
        for command in commands {
            let page = manDir + "/almanac." + command.path.joined(separator: ".") + ".1"
            let text = try Self.run("/usr/bin/man", ["-l", page], environment: render)
            #expect(text.status == 0, "\(page): \(text.stderr)")
            for option in command.longOptions {
                #expect(text.stdout.contains("--" + option), "\(page) does not mention --\(option)")
            }
        }
        let man = try Self.run(
            "/usr/bin/man", ["almanac"], environment: render.merging(["MANPATH": prefix + "/share/man"]) { $1 })
        #expect(man.status == 0 && man.stdout.contains("almanac.daemon"), "\(man.stdout) \(man.stderr)")

        // Completions: each names every visible subcommand.
        let completions = [
            "share/bash-completion/completions/almanac", "share/zsh/site-functions/_almanac",
            "share/fish/vendor_completions.d/almanac.fish",
        ]
        for file in completions {
            let text = try String(contentsOfFile: prefix + "/" + file, encoding: .utf8)
            for name in ["check", "daemon", "status", "sync"] { #expect(text.contains(name), "\(file) lacks \(name)") }
        }

        // The unit, with this installation's paths, passes systemd's own check (executables and
        // man pages included): no message at all, since unknown keys are only warned about.
        let unit = prefix + "/lib/systemd/system/almanac.service"
        let text = try String(contentsOfFile: unit, encoding: .utf8)
        #expect(text.contains("ExecStart=\(bin) daemon --profiles \(dir.path)/etc/almanac/profiles.d"))
        #expect(text.contains("ExecStartPre=-\(bin) check \(dir.path)/etc/almanac/profiles.d"))
        #expect(text.contains("Type=notify") && text.contains("WatchdogSec=30"))
        let analyze = "/usr/bin/systemd-analyze"
        guard FileManager.default.isExecutableFile(atPath: analyze) else {
            if Self.requireServices { Issue.record("systemd-analyze (Debian package systemd) is not installed") }
            return
        }
        // With the example drop-in for write targets in place, so its keys are checked too.
        let dropIns = unit + ".d"
        try FileManager.default.createDirectory(atPath: dropIns, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            atPath: prefix + "/share/doc/almanac/examples/write-targets.conf", toPath: dropIns + "/write-targets.conf")
        let verify = try Self.run(analyze, ["verify", unit], environment: ["MANPATH": prefix + "/share/man"])
        #expect(
            verify.status == 0 && verify.stdout.isEmpty && verify.stderr.isEmpty, "\(verify.stdout)\(verify.stderr)")
        // The template unit of `--shard` (almanac@K), with the example environment file where it
        // is read from, passes the same check for two instances.
        let template = try String(contentsOfFile: prefix + "/lib/systemd/system/almanac@.service", encoding: .utf8)
        #expect(
            template.contains(
                "ExecStart=\(bin) daemon --shard %i/${ALMANAC_SHARDS} --profiles \(dir.path)/etc/almanac/profiles.d "
                    + "--state /var/lib/almanac/shard-%i --runtime /run/almanac/shard-%i"), "\(template)")
        #expect(template.contains("EnvironmentFile=\(dir.path)/etc/almanac/shards.env"))
        #expect(template.contains("StateDirectory=almanac/shard-%i") && template.contains("Restart=on-failure"))
        try FileManager.default.copyItem(
            atPath: prefix + "/share/doc/almanac/examples/shards.env", toPath: dir.path + "/etc/almanac/shards.env")
        for instance in ["almanac@0.service", "almanac@1.service"] {
            let check = try Self.run(
                analyze, ["verify", prefix + "/lib/systemd/system/" + instance],
                environment: ["MANPATH": prefix + "/share/man"])
            #expect(
                check.status == 0 && check.stdout.isEmpty && check.stderr.isEmpty,
                "\(instance): \(check.stdout)\(check.stderr)")
        }
        for d in ["etc/almanac/profiles.d", "etc/almanac/secrets"] {
            #expect(FileManager.default.fileExists(atPath: dir.path + "/" + d))
        }
    }

    /// `make deb` from the binary under test, installed into a throwaway root and removed again
    /// (contrib/package/deb-check: an overlay of this machine's root in its own mount namespace).
    @Test func debianPackageInstallsAndRemovesCleanly() throws {
        guard getuid() == 0 else {
            if Self.requireServices { Issue.record("the package check needs root (overlayfs, chroot)") }
            return
        }
        let dir = TempDirectory("deb")
        let build = try Self.run(
            Self.script + "/deb", [BinaryRunner.almanac, dir.path], environment: ["DEB_COMPRESS": "gzip"])
        try #require(build.status == 0, "\(build.stderr)")
        let deb = try #require(build.stdout.split(separator: "\n").first.map(String.init))
        let check = try Self.run(Self.script + "/deb-check", [deb])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        #expect(check.stdout.hasSuffix("deb-check: OK\n"), "\(check.stdout)")
    }
}

import Glibc

/// How every child almanac starts is set up before exec: the signals a parent may have caught or
/// ignored (the daemon's handlers, a worker's ignored SIGPIPE) back to their defaults, an empty
/// signal mask, and, for a worker or a plugin, a process group of its own (killed as a whole).
public enum SpawnDefaults {
    public static let signals: [Int32] = [SIGPIPE, SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2, SIGQUIT]

    /// Applies them to `attr`, which the caller has `posix_spawnattr_init`ed (and destroys).
    public static func apply(to attr: inout posix_spawnattr_t, newProcessGroup: Bool) {
        var flags = POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK
        if newProcessGroup { flags |= POSIX_SPAWN_SETPGROUP }
        posix_spawnattr_setflags(&attr, Int16(flags))
        if newProcessGroup { posix_spawnattr_setpgroup(&attr, 0) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for s in signals { sigaddset(&defaults, s) }
        posix_spawnattr_setsigdefault(&attr, &defaults)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attr, &mask)
    }
}

import ArgumentParser

/// Exit codes of ARCHITECTURE.md §7: 0 success, 1 failed operation, 3 profile not running (LSB),
/// 64 usage, 69 daemon unreachable, 78 invalid configuration (EX_CONFIG).
enum AlmanacExit {
    static let failure = ExitCode(1)
    static let notRunning = ExitCode(3)
    static let usage = ExitCode(64)
    static let unavailable = ExitCode(69)
    static let config = ExitCode(78)
}

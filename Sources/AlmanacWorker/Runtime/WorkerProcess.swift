import Logging

extension WorkerRuntime {
    /// The worker process (`almanac worker`, or a test harness's worker with its `hooks`): logs
    /// on stderr, logfmt or JSON (`json`), which the daemon tags and forwards; runs the profile.
    /// Call once per process. Returns the exit code of `run(loader:)`.
    public static func runProcess(options: Options, json: Bool, hooks: any WorkerHooks = NoWorkerHooks()) -> Int32 {
        LoggingSystem.bootstrap { label in StderrLogHandler(label: label, json: json) }
        let runtime = WorkerRuntime(options: options, logger: Logger(label: "almanac.worker"), hooks: hooks)
        return runtime.run(loader: ConnectorRegistry.loader)
    }
}

import Foundation

/// `GET /metrics`: Prometheus text exposition of every profile. Called under `lock`.
extension Supervisor {
    func metricsText() -> String {
        var out = ""
        func family(_ name: String, _ type: String, _ help: String) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
        }
        let sorted = slots.values.sorted { $0.name < $1.name }
        family("almanac_profile_state", "gauge", "1 for the state each profile is in.")
        for s in sorted {
            out += "almanac_profile_state{profile=\"\(s.name)\",state=\"\(s.state.rawValue)\"} 1\n"
        }
        family("almanac_profile_restarts_total", "counter", "Worker restarts since the daemon started.")
        for s in sorted { out += "almanac_profile_restarts_total{profile=\"\(s.name)\"} \(s.restarts)\n" }
        family("almanac_profile_config_error", "gauge", "1 when the profile file on disk is invalid.")
        for s in sorted {
            out += "almanac_profile_config_error{profile=\"\(s.name)\"} \(s.configError == nil ? 0 : 1)\n"
        }
        family(
            "almanac_log_lines_dropped_total", "counter",
            "Log lines not written to the profile's log file because the disk did not keep up.")
        for s in sorted {
            out += "almanac_log_lines_dropped_total{profile=\"\(s.name)\"} \(logFiles.droppedLines(profile: s.name))\n"
        }
        out += runMetrics(sorted)
        out += quotaMetrics()
        family("almanac_profiles", "gauge", "Profiles known to the daemon.")
        out += "almanac_profiles \(slots.count)\n"
        return out
    }
}

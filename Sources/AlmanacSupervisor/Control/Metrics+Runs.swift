import AlmanacCore
import AlmanacWire
import Foundation

/// The run and connection families of `GET /metrics`: one series per job's latest real run
/// (dry runs are not counted), the profile's health, and each connection's status.
extension Supervisor {
    func runMetrics(_ slots: [WorkerSlot]) -> String {
        var out = ""
        func family(_ name: String, _ type: String, _ help: String) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
        }
        family(
            "almanac_profile_healthy", "gauge", "1 when every job's last real run went through, 0 when one failed.")
        for s in slots {
            guard let health = s.runs.health else { continue }
            out += "almanac_profile_healthy{profile=\"\(s.name)\"} \(health == "ok" ? 1 : 0)\n"
        }
        family("almanac_last_run_success", "gauge", "1 when the job's last run succeeded, 0 otherwise.")
        family(
            "almanac_last_run_failed", "gauge", "1 when the job's last run failed or was blocked, with its error code.")
        family("almanac_last_run_duration_seconds", "gauge", "Duration of the job's last run.")
        family("almanac_last_run_timestamp_seconds", "gauge", "When the job's last run finished (Unix time).")
        family("almanac_last_run_items", "gauge", "Items changed by the job's last run, per direction.")
        for s in slots {
            for job in s.runs.statuses {
                guard let r = job.lastRun else { continue }
                let l = "profile=\"\(s.name)\",job=\"\(r.job)\""
                out += "almanac_last_run_success{\(l),result=\"\(r.result)\"} \(r.result == "success" ? 1 : 0)\n"
                let code = r.errorCode.map { ",error_code=\"\(Self.labelValue($0))\"" } ?? ""
                out += "almanac_last_run_failed{\(l)\(code)} \(job.failing ? 1 : 0)\n"
                out += "almanac_last_run_duration_seconds{\(l)} \(Double(r.durationMS) / 1000)\n"
                out += "almanac_last_run_timestamp_seconds{\(l)} \(Int(r.finished.timeIntervalSince1970))\n"
                out += "almanac_last_run_items{\(l),direction=\"to\"} \(r.to.changed)\n"
                out += "almanac_last_run_items{\(l),direction=\"from\"} \(r.from.changed)\n"
            }
        }
        family(
            "almanac_connection_ok", "gauge", "1 when the connection worked when last used or tested, with its state.")
        for s in slots {
            for c in s.runs.connections.values.sorted(by: { $0.name < $1.name })
            where s.profile?.connections[c.name] != nil {
                let l = "profile=\"\(s.name)\",connection=\"\(c.name)\",state=\"\(c.state.rawValue)\""
                out += "almanac_connection_ok{\(l)} \(c.state == .ok ? 1 : 0)\n"
            }
        }
        return out
    }

    /// `text` as a Prometheus label value: backslash, quote and newline escaped.
    static func labelValue(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}

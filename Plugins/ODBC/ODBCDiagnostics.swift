import CODBC
import Foundation

/// One diagnostic record of an ODBC handle (`SQLGetDiagRec`).
struct ODBCDiagnostic: Hashable, Sendable, CustomStringConvertible {
    /// The five-character SQLSTATE (`08001`, `28000`, `42S02`, …).
    var state: String
    var native: Int
    var message: String

    var description: String { "[\(state)] \(message)" }
}

/// A failed ODBC call, with the diagnostic records the driver left on the handle.
///
/// Its text never carries the connection string: drivers are given the password, and the
/// connector scrubs it from messages before they travel further (`scrubbed(_:)`).
struct ODBCCallError: Error, CustomStringConvertible {
    var call: String
    var records: [ODBCDiagnostic]

    var description: String {
        let text = records.map(\.description).joined(separator: "; ")
        return text.isEmpty ? "\(call) failed" : text
    }

    /// SQLSTATE class 08 (connection exception) or a communication-link failure: the
    /// connection is gone and a reconnect may help.
    var isConnectionLost: Bool {
        records.contains { $0.state.hasPrefix("08") || $0.state == "HYT01" || $0.state == "57P01" }
            || records.contains {
                $0.message.localizedCaseInsensitiveContains("server closed the connection")
                    || $0.message.localizedCaseInsensitiveContains("could not send data")
                    || $0.message.localizedCaseInsensitiveContains("no connection to the server")
            }
    }

    /// The query timeout expired (`HYT00`) or the statement was cancelled for it.
    var isTimeout: Bool {
        records.contains { $0.state == "HYT00" || $0.state == "57014" }
            || records.contains {
                $0.message.localizedCaseInsensitiveContains("canceling statement due to statement timeout")
            }
    }

    /// Replaces every occurrence of `secret` in the messages (drivers sometimes echo the
    /// connection string they were given).
    func scrubbed(_ secret: String?) -> ODBCCallError {
        guard let secret, !secret.isEmpty else { return self }
        var copy = self
        copy.records = records.map {
            ODBCDiagnostic(
                state: $0.state, native: $0.native,
                message: $0.message.replacingOccurrences(of: secret, with: "***"))
        }
        return copy
    }
}

enum ODBCDiagnostics {
    /// Reads every diagnostic record of `handle`.
    static func records(type: Int32, handle: SQLHANDLE?) -> [ODBCDiagnostic] {
        guard let handle else { return [] }
        var out: [ODBCDiagnostic] = []
        var record: SQLSMALLINT = 1
        while record < 20 {
            var state = [SQLWCHAR](repeating: 0, count: 6)
            var native: SQLINTEGER = 0
            var message = [SQLWCHAR](repeating: 0, count: 1024)
            var length: SQLSMALLINT = 0
            let rc = SQLGetDiagRecW(
                SQLSMALLINT(type), handle, record, &state, &native, &message,
                SQLSMALLINT(message.count), &length)
            if rc != SQLRETURN(SQL_SUCCESS) && rc != SQLRETURN(SQL_SUCCESS_WITH_INFO) { break }
            let used = min(Int(length), message.count - 1)
            out.append(
                ODBCDiagnostic(
                    state: String(decoding: state.prefix(5), as: UTF16.self),
                    native: Int(native),
                    message: String(decoding: message.prefix(used), as: UTF16.self)
                        .trimmingCharacters(in: .whitespacesAndNewlines)))
            record += 1
        }
        return out
    }

    /// Throws `ODBCCallError` unless `rc` is a success code.
    @inline(__always)
    static func check(_ rc: SQLRETURN, _ call: String, type: Int32, handle: SQLHANDLE?) throws {
        if rc == SQLRETURN(SQL_SUCCESS) || rc == SQLRETURN(SQL_SUCCESS_WITH_INFO) { return }
        throw ODBCCallError(call: call, records: records(type: type, handle: handle))
    }
}

/// `str.utf16` as a NUL-terminated `SQLWCHAR` array.
func sqlWide(_ string: String) -> [SQLWCHAR] {
    var out = Array(string.utf16)
    out.append(0)
    return out
}

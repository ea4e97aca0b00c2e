import CODBC
import Foundation

/// How text result columns travel from the driver: as the driver's UTF-8 bytes (`SQL_C_CHAR`)
/// or as UTF-16 (`SQL_C_WCHAR`).
///
/// A Unicode driver such as psqlODBC ("PostgreSQL Unicode") hands `SQL_C_CHAR` text over in the
/// codeset of the process's `LC_CTYPE`: when that codeset is UTF-8, the encoding of the
/// connection, psqlODBC copies the server's bytes as they are, the cheapest transfer there is; in
/// another codeset it converts every value to it, which costs time and loses what the codeset
/// cannot represent. UTF-16 is the same whatever the locale, so it is the transfer outside UTF-8.
/// The `almanac` executable sets `LC_CTYPE` to C.UTF-8 at start-up (and `ODBCEnvironment` does
/// when nobody has), so `.utf8` is the usual case.
public enum ODBCTextTransfer: Sendable {
    case utf8
    case utf16

    /// The transfer the calling thread's `LC_CTYPE` allows (`nl_langinfo(CODESET)` is UTF-8 or not).
    public static func forCurrentLocale() -> ODBCTextTransfer {
        guard let codeset = nl_langinfo(nl_item(CODESET)) else { return .utf16 }
        return isUTF8(String(cString: codeset)) ? .utf8 : .utf16
    }

    /// "UTF-8", "utf8", "UTF8" …
    static func isUTF8(_ codeset: String) -> Bool {
        codeset.uppercased().replacingOccurrences(of: "-", with: "") == "UTF8"
    }
}

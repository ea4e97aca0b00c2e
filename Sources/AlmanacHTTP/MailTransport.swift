import AlmanacCore
import CCurl
import Foundation

/// One mail to send: the envelope and the message (headers and body, CRLF line ends).
public struct MailSubmission: Sendable, Hashable {
    /// `smtp://HOST:PORT` (STARTTLS as `startTLS` says) or `smtps://HOST:PORT` (TLS from the start).
    public var url: String
    public var from: String
    public var recipients: [String]
    public var message: Data
    public var user: String?
    public var password: String?
    /// On `smtp://`: true requires STARTTLS (the mail is not sent without it); false uses it when
    /// the server offers it.
    public var requireStartTLS: Bool
    public var timeout: TimeInterval

    public init(
        url: String, from: String, recipients: [String], message: Data, user: String? = nil,
        password: String? = nil, requireStartTLS: Bool = false, timeout: TimeInterval = 30
    ) {
        self.url = url
        self.from = from
        self.recipients = recipients
        self.message = message
        self.user = user
        self.password = password
        self.requireStartTLS = requireStartTLS
        self.timeout = timeout
    }
}

/// The message being uploaded and how far libcurl has read it.
private final class UploadBuffer {
    let bytes: [UInt8]
    var offset = 0
    init(_ data: Data) { bytes = [UInt8](data) }
}

/// Sends mail with libcurl's SMTP client (`CURLOPT_MAIL_FROM`, `CURLOPT_MAIL_RCPT`, the message
/// read through `CURLOPT_READFUNCTION`). TLS peer and host verification are always on. Blocking:
/// call it from a thread that may wait (`timeout`).
public enum MailTransport {
    /// - Throws: `AlmanacError` (`http.transport`, `http.tls`, `http.timeout`, or
    ///   `notify.mail_failed` for a refusal by the server), never with the password.
    public static func send(_ mail: MailSubmission) throws {
        _ = curl_global_init(Int(CURL_GLOBAL_DEFAULT))
        guard let easy = curl_easy_init() else {
            throw AlmanacError(.notifyMailFailed, "libcurl cannot start a transfer")
        }
        defer { curl_easy_cleanup(easy) }
        _ = almanac_curl_setopt_string(easy, CURLOPT_URL, mail.url)
        _ = almanac_curl_setopt_long(easy, CURLOPT_NOSIGNAL, 1)
        _ = almanac_curl_setopt_long(easy, CURLOPT_SSL_VERIFYPEER, 1)
        _ = almanac_curl_setopt_long(easy, CURLOPT_SSL_VERIFYHOST, 2)
        _ = almanac_curl_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, Int(min(mail.timeout, 10) * 1000))
        _ = almanac_curl_setopt_long(easy, CURLOPT_TIMEOUT_MS, Int(mail.timeout * 1000))
        let tls = mail.requireStartTLS ? CURLUSESSL_ALL : CURLUSESSL_TRY
        _ = almanac_curl_setopt_long(easy, CURLOPT_USE_SSL, Int(tls.rawValue))
        if let user = mail.user { _ = almanac_curl_setopt_string(easy, CURLOPT_USERNAME, user) }
        if let password = mail.password { _ = almanac_curl_setopt_string(easy, CURLOPT_PASSWORD, password) }
        _ = almanac_curl_setopt_string(easy, CURLOPT_MAIL_FROM, "<\(mail.from)>")
        var recipients: UnsafeMutablePointer<curl_slist>?
        for r in mail.recipients { recipients = curl_slist_append(recipients, "<\(r)>") }
        defer { curl_slist_free_all(recipients) }
        _ = almanac_curl_setopt_slist(easy, CURLOPT_MAIL_RCPT, recipients)
        let upload = UploadBuffer(mail.message)
        let result: CURLcode = withExtendedLifetime(upload) {
            _ = almanac_curl_setopt_read(easy, CURLOPT_READFUNCTION) { ptr, size, count, user in
                guard let ptr, let user else { return 0 }
                let b = Unmanaged<UploadBuffer>.fromOpaque(user).takeUnretainedValue()
                let n = min(size * count, b.bytes.count - b.offset)
                b.bytes.withUnsafeBytes { raw in
                    UnsafeMutableRawPointer(ptr).copyMemory(from: raw.baseAddress! + b.offset, byteCount: n)
                }
                b.offset += n
                return n
            }
            _ = almanac_curl_setopt_pointer(easy, CURLOPT_READDATA, Unmanaged.passUnretained(upload).toOpaque())
            _ = almanac_curl_setopt_long(easy, CURLOPT_UPLOAD, 1)
            _ = almanac_curl_setopt_long(easy, CURLOPT_INFILESIZE, upload.bytes.count)
            return curl_easy_perform(easy)
        }
        guard result != CURLE_OK else { return }
        let host = URLComponents(string: mail.url)?.host ?? "the mail server"
        var reply = 0
        _ = almanac_curl_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &reply)
        let detail = String(cString: curl_easy_strerror(result))
        switch Int(result.rawValue) {
        case 6, 7, 28, 35, 60:
            throw AlmanacHTTPError.transport(host: host, curlCode: Int(result.rawValue), detail: detail)
        default:
            let said = reply > 0 ? " (the server answered \(reply))" : ""
            throw AlmanacError(
                .notifyMailFailed, "\(host) did not take the mail: \(detail)\(said)",
                cause: CurlFailure(code: Int(result.rawValue)))
        }
    }
}

import AlmanacCore
import CCurl
import Foundation

/// Settings of the libcurl transport. TLS peer and host verification are always on; `caFile`
/// only adds trust anchors.
public struct TransportOptions: Sendable, Hashable {
    public var connectTimeout: TimeInterval
    /// Whole-transfer timeout.
    public var timeout: TimeInterval
    /// Transfers in flight at once (also the cap of connections per host).
    public var maxConcurrent: Int
    /// A PEM bundle of extra CAs, for TLS-inspecting proxies.
    public var caFile: String?
    public var userAgent: String
    /// `quota_key` and `quota_user` of the connection (README "Quota governor"); nil: the defaults.
    public var quotaKey: String?
    public var quotaUser: String?

    public init(
        connectTimeout: TimeInterval = 10, timeout: TimeInterval = 60, maxConcurrent: Int = 4,
        caFile: String? = nil, userAgent: String = "almanac/\(AlmanacVersion.current)"
    ) {
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.maxConcurrent = maxConcurrent
        self.caFile = caFile
        self.userAgent = userAgent
    }
}

/// One transfer's outcome below the retry layer.
public enum TransferResult: Sendable {
    case response(HTTPResponse)
    /// curl failed; `code` is the CURLcode.
    case failure(code: Int, detail: String)
}

/// The state a transfer's callbacks write into.
final class TransferBuffer {
    var body = Data()
    var headers: [String: String] = [:]
}

/// libcurl multi interface: one multi handle (its connection cache gives keep-alive reuse,
/// HTTP/2 multiplexing where the server offers it over TLS) and a pool of easy handles.
/// Proxies come from the environment (`https_proxy`, `http_proxy`, `no_proxy`), as libcurl reads them.
///
/// Not thread-safe: use from one thread at a time (the connector's caller).
public final class CurlTransport {
    private static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    public let options: TransportOptions
    private let multi: UnsafeMutableRawPointer
    private var idle: [UnsafeMutableRawPointer] = []
    /// New connections opened so far (keep-alive reuse keeps this low).
    public private(set) var connectionsOpened = 0

    public init(options: TransportOptions = TransportOptions()) {
        _ = CurlTransport.globalInit
        self.options = options
        multi = curl_multi_init()
        _ = almanac_curl_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, options.maxConcurrent)
        _ = almanac_curl_multi_setopt_long(multi, CURLMOPT_PIPELINING, Int(CURLPIPE_MULTIPLEX))
    }

    deinit {
        for e in idle { curl_easy_cleanup(e) }
        curl_multi_cleanup(multi)
    }

    /// Performs `requests` concurrently (at most `maxConcurrent` at once) and returns one result
    /// per request, in order. Never throws: failures are `TransferResult.failure`.
    public func perform(_ requests: [HTTPRequest]) -> [TransferResult] {
        var results = [TransferResult?](repeating: nil, count: requests.count)
        // `request` never throws here, so every transfer starts.
        _ = try? stream(
            count: requests.count, request: { requests[$0] },
            done: {
                results[$0] = $1
                return .proceed
            })
        return results.map { $0! }
    }

    /// Performs up to `count` transfers, at most `maxConcurrent` at once. The request of transfer
    /// `i` is made by `request(i)` only when a slot is free and after the transfers started
    /// before it are on the wire, so making the next request overlaps the server's work on those
    /// in flight. `done(i, result)` is called as each transfer ends (in any order); returning
    /// `.hold` starts no further transfer. Returns how many transfers were started (all of them
    /// ended). When `request` throws, no further transfer starts; the ones in flight end
    /// (`done` is called for them) and the error is rethrown.
    public func stream(
        count: Int, request: (Int) throws -> HTTPRequest, done: (Int, TransferResult) -> StreamStep
    ) throws -> Int {
        var active: [UnsafeMutableRawPointer: (Int, TransferBuffer, UnsafeMutablePointer<curl_slist>?)] = [:]
        var started = 0
        var hold = false
        var failure: (any Error)?
        var running: Int32 = 0
        while true {
            while !hold && failure == nil && started < count && active.count < options.maxConcurrent {
                do {
                    let r = try request(started)
                    let easy = idle.popLast() ?? curl_easy_init()!
                    let buffer = TransferBuffer()
                    let slist = configure(easy, r, buffer)
                    curl_multi_add_handle(multi, easy)
                    active[easy] = (started, buffer, slist)
                    started += 1
                    curl_multi_perform(multi, &running)
                } catch {
                    failure = error
                }
            }
            if active.isEmpty { break }
            curl_multi_perform(multi, &running)
            var finished = false
            var queued: Int32 = 0
            while let msg = curl_multi_info_read(multi, &queued) {
                guard msg.pointee.msg == CURLMSG_DONE, let easy = msg.pointee.easy_handle,
                    let (i, buffer, slist) = active.removeValue(forKey: easy)
                else { continue }
                finished = true
                let result = self.result(easy, code: msg.pointee.data.result, buffer)
                curl_multi_remove_handle(multi, easy)
                curl_slist_free_all(slist)
                idle.append(easy)
                if done(i, result) == .hold { hold = true }
            }
            let canStart = !hold && failure == nil && started < count && active.count < options.maxConcurrent
            if !active.isEmpty && !(finished && canStart) {
                var fds: Int32 = 0
                curl_multi_poll(multi, nil, 0, 100, &fds)
            }
        }
        if let failure { throw failure }
        return started
    }

    /// Whether `stream` goes on starting transfers.
    public enum StreamStep: Sendable {
        case proceed
        case hold
    }

    /// The outcome of a finished transfer.
    private func result(_ easy: UnsafeMutableRawPointer, code: CURLcode, _ buffer: TransferBuffer) -> TransferResult {
        guard code == CURLE_OK else {
            return .failure(code: Int(code.rawValue), detail: String(cString: curl_easy_strerror(code)))
        }
        var status = 0
        _ = almanac_curl_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
        var connects = 0
        _ = almanac_curl_getinfo_long(easy, CURLINFO_NUM_CONNECTS, &connects)
        connectionsOpened += connects
        var version = 0
        _ = almanac_curl_getinfo_long(easy, CURLINFO_HTTP_VERSION, &version)
        return .response(
            HTTPResponse(
                status: status, headers: buffer.headers, body: buffer.body,
                httpVersion: Self.protocolVersion(version)))
    }

    /// Sets every option of one transfer on a (reset) easy handle; returns the header list to free.
    private func configure(_ easy: UnsafeMutableRawPointer, _ r: HTTPRequest, _ buffer: TransferBuffer)
        -> UnsafeMutablePointer<curl_slist>?
    {
        curl_easy_reset(easy)
        _ = almanac_curl_setopt_string(easy, CURLOPT_URL, r.url)
        _ = almanac_curl_setopt_long(easy, CURLOPT_NOSIGNAL, 1)
        _ = almanac_curl_setopt_long(easy, CURLOPT_SSL_VERIFYPEER, 1)
        _ = almanac_curl_setopt_long(easy, CURLOPT_SSL_VERIFYHOST, 2)
        if let ca = options.caFile { _ = almanac_curl_setopt_string(easy, CURLOPT_CAINFO, ca) }
        _ = almanac_curl_setopt_long(easy, CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_2TLS))
        _ = almanac_curl_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, Int(options.connectTimeout * 1000))
        _ = almanac_curl_setopt_long(easy, CURLOPT_TIMEOUT_MS, Int(options.timeout * 1000))
        _ = almanac_curl_setopt_long(easy, CURLOPT_TCP_KEEPALIVE, 1)
        if !r.isReplayable { _ = almanac_curl_setopt_long(easy, CURLOPT_FRESH_CONNECT, 1) }
        _ = almanac_curl_setopt_string(easy, CURLOPT_USERAGENT, options.userAgent)
        _ = almanac_curl_setopt_string(easy, CURLOPT_ACCEPT_ENCODING, "")
        let opaque = Unmanaged.passUnretained(buffer).toOpaque()
        _ = almanac_curl_setopt_write(easy, CURLOPT_WRITEFUNCTION) { ptr, size, count, user in
            let n = size * count
            guard let ptr, let user else { return n }
            let b = Unmanaged<TransferBuffer>.fromOpaque(user).takeUnretainedValue()
            b.body.append(UnsafeRawPointer(ptr).assumingMemoryBound(to: UInt8.self), count: n)
            return n
        }
        _ = almanac_curl_setopt_pointer(easy, CURLOPT_WRITEDATA, opaque)
        _ = almanac_curl_setopt_write(easy, CURLOPT_HEADERFUNCTION) { ptr, size, count, user in
            let n = size * count
            guard let ptr, let user else { return n }
            let b = Unmanaged<TransferBuffer>.fromOpaque(user).takeUnretainedValue()
            let line = String(decoding: UnsafeRawBufferPointer(start: ptr, count: n), as: UTF8.self)
            if line.hasPrefix("HTTP/") {
                b.headers.removeAll()
            } else if let c = line.firstIndex(of: ":") {
                b.headers[line[..<c].lowercased()] = line[line.index(after: c)...].trimmedSpaces
            }
            return n
        }
        _ = almanac_curl_setopt_pointer(easy, CURLOPT_HEADERDATA, opaque)
        switch r.method {
        case "GET": _ = almanac_curl_setopt_long(easy, CURLOPT_HTTPGET, 1)
        case "POST": _ = almanac_curl_setopt_long(easy, CURLOPT_POST, 1)
        default: _ = almanac_curl_setopt_string(easy, CURLOPT_CUSTOMREQUEST, r.method)
        }
        if let body = r.body {
            _ = almanac_curl_setopt_long(easy, CURLOPT_POSTFIELDSIZE, body.count)
            body.withUnsafeBytes { raw in
                _ = almanac_curl_setopt_pointer(
                    easy, CURLOPT_COPYPOSTFIELDS,
                    UnsafeMutableRawPointer(mutating: raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!))
            }
        } else if r.method != "GET" && r.method != "DELETE" {
            _ = almanac_curl_setopt_long(easy, CURLOPT_POSTFIELDSIZE, 0)
            _ = almanac_curl_setopt_string(easy, CURLOPT_COPYPOSTFIELDS, "")
        }
        var slist: UnsafeMutablePointer<curl_slist>?
        for (k, v) in r.headers.sorted(by: { $0.key < $1.key }) { slist = curl_slist_append(slist, "\(k): \(v)") }
        slist = curl_slist_append(slist, "Expect:")
        _ = almanac_curl_setopt_slist(easy, CURLOPT_HTTPHEADER, slist)
        return slist
    }

    /// 1, 2 or 3 from `CURLINFO_HTTP_VERSION`'s `CURL_HTTP_VERSION_*` value.
    static func protocolVersion(_ curl: Int) -> Int {
        switch curl {
        case Int(CURL_HTTP_VERSION_2_0): return 2
        case Int(CURL_HTTP_VERSION_3): return 3
        default: return 1
        }
    }

    /// The libcurl version this process runs with, e.g. "7.88.1".
    public static var curlVersion: String {
        String(cString: curl_version_info(CURLVERSION_TENTH).pointee.version)
    }
}

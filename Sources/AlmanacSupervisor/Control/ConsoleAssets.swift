import AlmanacCore

/// The web console's static files (`Sources/AlmanacSupervisor/Console`, embedded in the binary):
/// `GET /` answers `index.html`, `GET /console/FILE` the other files. They carry no data and
/// need no token (`ControlRoutes.isPublic`); everything the page shows comes from the
/// token-protected `/v1` API.
enum ConsoleAssets {
    /// The file names served under `/console/`, with their content types.
    static let files: [String: (type: String, bytes: [UInt8])] = [
        "index.html": ("text/html; charset=utf-8", PackageResources.index_html),
        "console.css": ("text/css; charset=utf-8", PackageResources.console_css),
        "client.js": ("text/javascript; charset=utf-8", PackageResources.client_js),
        "chart.js": ("text/javascript; charset=utf-8", PackageResources.chart_js),
        "fleet.js": ("text/javascript; charset=utf-8", PackageResources.fleet_js),
        "detail.js": ("text/javascript; charset=utf-8", PackageResources.detail_js),
        "app.js": ("text/javascript; charset=utf-8", PackageResources.app_js),
    ]

    /// The answer for a console file, or nil when `request` is not one (`/v1/…`, `/metrics`).
    /// Only `GET` of an exact known name: no path is ever looked up on disk.
    static func response(for request: HTTPRequest) -> HTTPResponse? {
        let name: String
        switch request.path {
        case "/": name = "index.html"
        case let p where p.hasPrefix("/console/"): name = String(p.dropFirst("/console/".count))
        default: return nil
        }
        guard request.method == "GET" else { return refusal(405, "the console's files answer GET only") }
        guard let file = files[name] else { return refusal(404, "no such console file") }
        return .full(status: 200, contentType: file.type, body: file.bytes)
    }

    private static func refusal(_ status: Int, _ message: String) -> HTTPResponse {
        let body = "{\"ok\":false,\"code\":\"\(ErrorCode.apiNotFound)\",\"message\":\"\(message)\"}"
        return .json(status, Array(body.utf8))
    }
}

import CCurl

/// The libcurl HTTP client used by the calendar connectors.
public enum AlmanacHTTP {
    /// The libcurl version this process runs with, e.g. "8.1.2".
    public static var curlVersion: String {
        String(cString: curl_version_info(CURLVERSION_ELEVENTH).pointee.version)
    }
}

/// Versioned Codable types for the worker pipes (DESIGN §6) and the control API (DESIGN §7).
public enum Wire {
    /// The `"v"` field of every pipe message.
    public static let version = 1
}

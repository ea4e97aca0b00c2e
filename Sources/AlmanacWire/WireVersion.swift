/// Versioned Codable types for the worker pipes (ARCHITECTURE.md §6) and the control API (ARCHITECTURE.md §7).
public enum Wire {
    /// The `"v"` field of every pipe message.
    public static let version = 1
}

/// The version this build reports (`almanac --version`, the worker's `hello`).
public enum AlmanacVersion {
    public static let current = "0.1.0"
}

extension ResultReader.Binding {
    /// The most bytes a value of a variable-length binding fits (its terminator excluded); nil
    /// for the fixed-size structs.
    var capacity: Int? {
        switch self {
        case .wide(let units): return units * 2
        case .narrow(let bytes), .binary(let bytes): return bytes
        case .timestamp, .date, .time: return nil
        }
    }

    /// The same binding with at most `bytes` bytes for a value (at least 16).
    func capped(_ bytes: Int) -> Self {
        let bytes = max(bytes, 16)
        switch self {
        case .wide(let units): return .wide(units: min(units, bytes / 2))
        case .narrow(let n): return .narrow(bytes: min(n, bytes))
        case .binary(let n): return .binary(bytes: min(n, bytes))
        case .timestamp, .date, .time: return self
        }
    }
}

import AlmanacCore

/// The instants around every durable step of a run, where tests inject crashes (the crash test
/// exits the process at one of them, then restarts and checks the final state).
public enum FaultPoint: Hashable, Sendable, CustomStringConvertible {
    case beforeWrite(ConnectorContext.Side, batch: Int)
    case afterWrite(ConnectorContext.Side, batch: Int)
    case beforeCommit(batch: Int)
    case afterCommit(batch: Int)
    case beforeCursorCommit
    case afterCursorCommit

    public var description: String {
        switch self {
        case .beforeWrite(let s, let b): return "before write \(s.rawValue) #\(b)"
        case .afterWrite(let s, let b): return "after write \(s.rawValue) #\(b)"
        case .beforeCommit(let b): return "before commit #\(b)"
        case .afterCommit(let b): return "after commit #\(b)"
        case .beforeCursorCommit: return "before cursor commit"
        case .afterCursorCommit: return "after cursor commit"
        }
    }
}

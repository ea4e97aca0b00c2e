import Foundation

/// A failed system call's `errno`: the cause of an error about a file, a socket or a process.
/// Its text is the system's (`strerror`), e.g. `No such file or directory`.
public struct SystemError: Error, Hashable, CustomStringConvertible {
    public var errno: Int32

    public init(errno: Int32) { self.errno = errno }

    public var description: String { String(cString: strerror(errno)) }
}

import Foundation

/// Opens an `AF_UNIX` socket of `type` (`SOCK_STREAM`, `SOCK_DGRAM`) and binds it to `path`
/// (`bind: true`) or connects it there; throws when that fails. The caller closes it.
func unixSocket(_ path: String, type: __socket_type, bind bindIt: Bool) throws -> Int32 {
    let fd = socket(AF_UNIX, Int32(type.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { throw POSIXError(.EMFILE) }
    var addr = sockaddr_un()
    addr.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &addr.sun_path) { raw in for (i, b) in path.utf8.enumerated() { raw[i] = b } }
    let rc = withUnsafePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            let size = socklen_t(MemoryLayout<sockaddr_un>.size)
            return bindIt ? bind(fd, $0, size) : connect(fd, $0, size)
        }
    }
    guard rc == 0 else {
        close(fd)
        throw POSIXError(.EADDRNOTAVAIL)
    }
    return fd
}

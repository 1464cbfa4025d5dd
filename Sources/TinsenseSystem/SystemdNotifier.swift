#if canImport(Glibc)
import Glibc
#endif

/// Speaks systemd's notify protocol (`sd_notify(3)`): one datagram of `KEY=VALUE` lines to the
/// Unix socket named by `$NOTIFY_SOCKET`, a filesystem path or, with a leading `@`, an abstract
/// name.
///
/// Written by hand because the protocol is one `sendto(2)`, and linking libsystemd for it
/// would add a build and runtime dependency the rest of tinsense does not need; tests bind
/// their own socket and read what the daemon says.
///
/// Outside systemd (`NOTIFY_SOCKET` unset) every call does nothing, so the daemon needs no
/// special case when run by hand.
public final class SystemdNotifier: Sendable {
    /// The socket address as given in `NOTIFY_SOCKET`, or nil outside systemd.
    public let socketName: String?
    /// The watchdog interval systemd asked for (`WATCHDOG_USEC`), when it is meant for this
    /// process (`WATCHDOG_PID` unset or ours).
    public let watchdogMicroseconds: UInt64?
    private let fd: Int32

    /// Reads `NOTIFY_SOCKET`, `WATCHDOG_USEC` and `WATCHDOG_PID` from `environment`.
    public init(environment: [String: String]) {
        let name = environment["NOTIFY_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
        socketName = name
        if let text = environment["WATCHDOG_USEC"], let usec = UInt64(text), usec > 0,
           environment["WATCHDOG_PID"].map({ Int32($0) == getpid() }) ?? true {
            watchdogMicroseconds = usec
        } else {
            watchdogMicroseconds = nil
        }
        fd = name == nil ? -1 : socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    /// True when there is a socket to talk to.
    public var isActive: Bool { fd >= 0 }

    /// Sends `state` (e.g. `"READY=1\nSTATUS=connected"`). Returns false when it could not be
    /// sent (no socket, name too long, the manager gone); the daemon carries on either way.
    @discardableResult
    public func notify(_ state: String) -> Bool {
        guard fd >= 0, let name = socketName else { return false }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var path = Array(name.utf8)
        let abstract = path.first == UInt8(ascii: "@")
        if abstract { path[0] = 0 }
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        // A path needs room for its terminating NUL; an abstract name is exactly its bytes.
        guard path.count < capacity || (abstract && path.count <= capacity) else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: path)
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + path.count + (abstract ? 0 : 1))
        let bytes = Array(state.utf8)
        let sent = bytes.withUnsafeBytes { buffer in
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL), $0, length)
                }
            }
        }
        return sent == bytes.count
    }
}

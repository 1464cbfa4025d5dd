#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import TinsenseSystem
import TinsenseTestSupport

/// A datagram socket bound the way systemd binds `NOTIFY_SOCKET`, so the test reads exactly
/// what the notifier sent.
private final class NotifyListener {
    let fd: Int32
    let name: String

    init(name: String) throws {
        self.name = name
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket: errno \(errno)") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var path = Array(name.utf8)
        let abstract = path.first == UInt8(ascii: "@")
        if abstract { path[0] = 0 }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: path) }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + path.count + (abstract ? 0 : 1))
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard rc == 0 else { throw TestFailure("bind \(name): errno \(errno)") }
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    /// The next datagram, or nil after the 2 s receive timeout.
    func receive() -> String? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        return n < 0 ? nil : String(decoding: buffer[0..<n], as: UTF8.self)
    }
}

@Suite("systemd notify protocol")
struct SystemdNotifierTests {
    @Test("a path socket receives each state as one datagram")
    func pathSocket() throws {
        let scratch = TemporaryDirectory("notify")
        let path = scratch.path + "/notify.sock"
        let listener = try NotifyListener(name: path)
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": path])
        #expect(notifier.isActive)
        #expect(notifier.notify("READY=1\nSTATUS=connected to mqtt://127.0.0.1:1883"))
        #expect(listener.receive() == "READY=1\nSTATUS=connected to mqtt://127.0.0.1:1883")
        #expect(notifier.notify("WATCHDOG=1"))
        #expect(listener.receive() == "WATCHDOG=1")
    }

    @Test("an abstract socket name (leading @) is reached without a file")
    func abstractSocket() throws {
        let name = "@tinsense-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let listener = try NotifyListener(name: name)
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": name])
        #expect(notifier.notify("STOPPING=1"))
        #expect(listener.receive() == "STOPPING=1")
    }

    @Test("outside systemd nothing is sent and nothing fails")
    func noSocket() {
        let notifier = SystemdNotifier(environment: [:])
        #expect(!notifier.isActive)
        #expect(!notifier.notify("READY=1"))
        #expect(notifier.watchdogMicroseconds == nil)
    }

    @Test("a socket nobody listens on is reported as not sent, without a crash")
    func goneManager() {
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": "/nonexistent/tinsense/notify"])
        #expect(!notifier.notify("READY=1"))
    }

    @Test("WATCHDOG_USEC counts only when WATCHDOG_PID is unset or this process")
    func watchdogInterval() {
        let ours = SystemdNotifier(environment: ["WATCHDOG_USEC": "20000000", "WATCHDOG_PID": "\(getpid())"])
        #expect(ours.watchdogMicroseconds == 20_000_000)
        let unset = SystemdNotifier(environment: ["WATCHDOG_USEC": "5000000"])
        #expect(unset.watchdogMicroseconds == 5_000_000)
        let other = SystemdNotifier(environment: ["WATCHDOG_USEC": "20000000", "WATCHDOG_PID": "1"])
        #expect(other.watchdogMicroseconds == nil)
        let garbage = SystemdNotifier(environment: ["WATCHDOG_USEC": "soon"])
        #expect(garbage.watchdogMicroseconds == nil)
    }
}

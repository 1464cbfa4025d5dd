#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A datagram socket bound the way systemd binds `NOTIFY_SOCKET` (a path, or an abstract name
/// with a leading `@`), so a test reads exactly what a notifier sent. `startCollecting` keeps
/// every datagram with its arrival time, for tests that watch a running daemon.
package final class NotifySocket: @unchecked Sendable {
    // @unchecked: `received` and `collecting` are guarded by `lock`.
    package let fd: Int32
    package let name: String
    private let lock = NSLock()
    private var received: [(at: Date, text: String)] = []
    private var collecting = false

    package init(name: String) throws {
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
        var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit {
        lock.withLock { collecting = false }
        close(fd)
    }

    /// The next datagram, or nil after `timeout` seconds.
    package func receive(timeout: TimeInterval = 2) -> String? {
        let deadline = Date(timeIntervalSinceNow: timeout)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while Date() < deadline {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n >= 0 { return String(decoding: buffer[0..<n], as: UTF8.self) }
        }
        return nil
    }

    /// Reads datagrams on a background thread until the socket is released.
    package func startCollecting() {
        lock.withLock { collecting = true }
        Thread.detachNewThread { [weak self] in
            while let self, self.lock.withLock({ self.collecting }) {
                if let text = self.receive(timeout: 0.2) {
                    self.lock.withLock { self.received.append((Date(), text)) }
                }
            }
        }
    }

    /// Every datagram collected so far, oldest first.
    package var messages: [(at: Date, text: String)] { lock.withLock { received } }

    /// Datagrams with a line exactly `line` (e.g. "WATCHDOG=1") that arrived in `from..<to`.
    package func count(_ line: String, from: Date, to: Date = .distantFuture) -> Int {
        messages.filter { $0.at >= from && $0.at < to && $0.text.split(separator: "\n").contains(Substring(line)) }.count
    }

    /// Waits until a datagram arrived after `since` with a line for which `matches` holds;
    /// returns that datagram.
    package func waitFor(after since: Date = .distantPast, timeout: TimeInterval, _ matches: (Substring) -> Bool) -> (at: Date, text: String)? {
        let deadline = Date(timeIntervalSinceNow: timeout)
        while Date() < deadline {
            if let hit = messages.first(where: { $0.at >= since && $0.text.split(separator: "\n").contains(where: matches) }) { return hit }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return nil
    }

    /// Waits for a datagram after `since` with the line exactly `line`.
    package func waitFor(_ line: String, after since: Date = .distantPast, timeout: TimeInterval) -> (at: Date, text: String)? {
        waitFor(after: since, timeout: timeout) { $0 == line }
    }
}

import Foundation

/// A plain TCP connection to 127.0.0.1:port, for tests that talk HTTP to `/metrics` byte by
/// byte (including the hostile clients: slow, huge, malformed, never reading).
package final class LoopbackSocket {
    package let fd: Int32

    package init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket() failed: errno \(errno)") }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else {
            let e = errno
            close(fd)
            throw TestFailure("connect 127.0.0.1:\(port) failed: errno \(e)")
        }
    }

    deinit { close(fd) }

    /// Sends all of `bytes`; false if the peer closed (EPIPE/ECONNRESET) first.
    @discardableResult
    package func send(_ bytes: [UInt8]) -> Bool {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + done, $0.count - done, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                if errno == EINTR { continue }
                return false
            }
            done += n
        }
        return true
    }

    @discardableResult
    package func send(_ text: String) -> Bool { send(Array(text.utf8)) }

    /// Reads until the peer closes or `timeout` passes; `closed` tells which.
    package func readToEnd(timeout: TimeInterval) -> (bytes: [UInt8], closed: Bool) {
        var out: [UInt8] = []
        let deadline = Date(timeIntervalSinceNow: timeout)
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let left = deadline.timeIntervalSinceNow
            if left <= 0 { return (out, false) }
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&p, 1, Int32(left * 1000) + 1)
            if ready < 0 && errno == EINTR { continue }
            if ready <= 0 { continue }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                return (out, true)  // ECONNRESET: closed by the peer
            }
            if n == 0 { return (out, true) }
            out += buffer[0..<n]
        }
    }
}

/// One HTTP response as a test reads it: status code, headers (lower-cased names), body.
package struct HTTPReply: Sendable {
    package var status: Int
    package var headers: [String: String]
    package var body: String

    /// Parses a whole `Connection: close` response; nil if it is not one.
    package init?(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { return nil }
        let lines = text[..<split.lowerBound].components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, statusParts[0].hasPrefix("HTTP/1."), let code = Int(statusParts[1]) else { return nil }
        status = code
        headers = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { return nil }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        body = String(text[split.upperBound...])
    }

    /// `GET path` on 127.0.0.1:port, the way a Prometheus scraper sends it.
    package static func get(port: Int, path: String = "/metrics", timeout: TimeInterval = 10) throws -> HTTPReply {
        let socket = try LoopbackSocket(port: port)
        socket.send("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUser-Agent: tinsense-test\r\nAccept: text/plain\r\n\r\n")
        let (bytes, closed) = socket.readToEnd(timeout: timeout)
        guard closed, let reply = HTTPReply(bytes) else { throw TestFailure("no complete HTTP reply from 127.0.0.1:\(port)\(path) in \(timeout) s") }
        return reply
    }
}

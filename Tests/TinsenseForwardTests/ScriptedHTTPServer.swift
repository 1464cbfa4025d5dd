import Foundation
import Synchronization
import TinsenseTestSupport
import TinsenseSystem

/// A loopback HTTP server that answers each request with the next status of a script (the
/// last one repeats) and keeps every request body: for the refused-batch case only, where
/// the real VictoriaMetrics cannot be made to answer 400 on demand.
final class ScriptedHTTPServer: @unchecked Sendable {
    let port: Int
    private let listener: Int32
    private let script: [(status: Int, body: String)]
    private let state = Guarded<(answered: Int, bodies: [String])>((0, []))
    private let stopped = Atomic<Bool>(false)

    init(script: [(status: Int, body: String)]) throws {
        self.script = script
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var yes: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard bound == 0, listen(listener, 16) == 0 else { throw TestFailure("cannot listen on loopback") }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &len) } }
        port = Int(UInt16(bigEndian: addr.sin_port))
        self.listener = listener
        let thread = Thread { [self] in serve() }
        thread.start()
    }

    var url: String { "http://127.0.0.1:\(port)" }
    var bodies: [String] { state.withLock { $0.bodies } }

    private func serve() {
        while !stopped.load(ordering: .relaxed) {
            let fd = accept(listener, nil, nil)
            if fd < 0 { continue }
            handle(fd)
            close(fd)
        }
    }

    private func handle(_ fd: Int32) {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var bodyStart: Int?
        var length = 0
        while true {
            if let start = bodyStart, data.count - start >= length { break }
            let n = read(fd, &buffer, buffer.count)
            if n <= 0 { return }
            data += buffer[0..<n]
            if bodyStart == nil, let range = String(decoding: data, as: UTF8.self).range(of: "\r\n\r\n") {
                let head = String(decoding: data, as: UTF8.self)[..<range.lowerBound].lowercased()
                for line in head.split(separator: "\r\n") where line.hasPrefix("content-length:") {
                    length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) ?? 0
                }
                bodyStart = Array(String(decoding: data, as: UTF8.self)[..<range.upperBound].utf8).count
            }
        }
        let body = String(decoding: data[bodyStart!...], as: UTF8.self)
        let answer = state.withLock { s in
            let a = script[min(s.answered, script.count - 1)]
            s.answered += 1
            s.bodies.append(body)
            return a
        }
        let reply = "HTTP/1.1 \(answer.status) Scripted\r\nContent-Length: \(answer.body.utf8.count)\r\nConnection: close\r\n\r\n\(answer.body)"
        _ = reply.withCString { write(fd, $0, strlen($0)) }
    }

    deinit {
        stopped.store(true, ordering: .relaxed)
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }
}

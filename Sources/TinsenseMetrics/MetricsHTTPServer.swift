#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging

/// The `/metrics` endpoint: a minimal HTTP/1.1 listener on one POSIX socket and one thread.
///
/// Why not Hummingbird (or SwiftNIO directly): measured on this 2-core machine as clean debug
/// builds of tiny packages, swift-prometheus plus this listener cost 19 s of CPU over
/// swift-log + swift-metrics alone, Hummingbird 2.28.1 another 342 s of CPU (887 build steps
/// instead of 75; about 3 min of wall time idle, 20 min under the load seen here), paid on
/// every CI run for one GET route (docs/OPERATIONS.md, "Build cost of the metrics
/// listener"). This listener serves one request per connection
/// and closes it; what makes it safe to expose to anything on the port is that every
/// resource it spends is bounded:
/// - a request head larger than `maxRequestBytes` is answered 431 and closed (memory per
///   connection never exceeds that bound plus the response);
/// - a connection that has not been answered and drained within `requestTimeout` of its
///   accept is closed (slowloris, stalled readers);
/// - at most `maxConnections` are open; the ones beyond are answered 503 at once and closed;
/// - it never blocks: sockets are non-blocking and one `poll(2)` waits for all of them, so
///   a hostile client costs at most a wake-up, and it runs on its own thread, away from the
///   ingest path. Writes use `MSG_NOSIGNAL`, so a client that hangs up raises no SIGPIPE.
package final class MetricsHTTPServer: @unchecked Sendable {
    // @unchecked: the connections and the sockets are touched only by the listener's thread;
    // the wake pipe is written once from `stop()`; `started`/`finished` are guarded by
    // `finishedLock`.
    package struct Limits: Sendable {
        package var maxRequestBytes = 8 * 1024
        package var requestTimeout: Duration = .seconds(5)
        package var maxConnections = 16
        package init() {}
    }

    package let limits: Limits
    /// The port actually bound (the configured one, or the kernel's pick for port 0).
    package let port: Int
    let logger: Logger
    let render: @Sendable () -> [UInt8]
    private let listenFD: Int32
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private let finishedLock = NSCondition()
    private var started = false
    private var finished = false

    /// Binds `host:port` (a numeric IPv4 or IPv6 address) at once, so a port in use is an
    /// error here rather than later; `render` is called on the listener's thread per scrape.
    package init(host: String, port: Int, limits: Limits = Limits(), logger: Logger, render: @escaping @Sendable () -> [UInt8]) throws {
        self.limits = limits
        self.logger = logger
        self.render = render
        let fd = try MetricsHTTPServer.bind(host: host, port: port)
        listenFD = fd
        self.port = MetricsHTTPServer.boundPort(fd)
        var pipeFDs: [Int32] = [0, 0]
        guard pipe(&pipeFDs) == 0 else {
            close(fd)
            throw ListenError(what: "pipe", address: "\(host):\(port)", errno: errno)
        }
        wakeRead = pipeFDs[0]
        wakeWrite = pipeFDs[1]
        for p in pipeFDs { MetricsHTTPServer.makeNonBlockingAndCloseOnExec(p) }
    }

    package struct ListenError: Error, CustomStringConvertible {
        package var what: String
        package var address: String
        package var errno: Int32
        package var description: String { "metrics listener: \(what) \(address): \(String(cString: strerror(errno))) (errno \(errno))" }
    }

    package func start() {
        finishedLock.lock()
        started = true
        finishedLock.unlock()
        let thread = Thread { [self] in
            serve()
            close(listenFD)
            close(wakeRead)
            finishedLock.lock()
            finished = true
            finishedLock.broadcast()
            finishedLock.unlock()
        }
        thread.name = "tinsense-metrics"
        thread.start()
    }

    /// Ends the listener's thread (open connections are closed) and waits for it; closes the
    /// socket. Call it once.
    package func stop() {
        var b: UInt8 = 1
        _ = write(wakeWrite, &b, 1)
        finishedLock.lock()
        let wasStarted = started
        while wasStarted && !finished { finishedLock.wait() }
        finishedLock.unlock()
        if !wasStarted {
            close(listenFD)
            close(wakeRead)
        }
        close(wakeWrite)
    }

    // MARK: - The poll loop

    private struct Connection {
        let fd: Int32
        let deadline: ContinuousClock.Instant
        var input: [UInt8] = []
        var output: [UInt8] = []
        var written = 0
        var answered = false
    }

    private func serve() {
        var connections: [Connection] = []
        let clock = ContinuousClock()
        while true {
            var fds = [pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0), pollfd(fd: listenFD, events: Int16(POLLIN), revents: 0)]
            for c in connections { fds.append(pollfd(fd: c.fd, events: Int16(c.answered ? POLLOUT : POLLIN), revents: 0)) }
            let now = clock.now
            let nearest = connections.map(\.deadline).min().map { now.duration(to: $0) } ?? .seconds(1)
            let waitMs = max(0, min(1000, Int32(nearest.components.seconds * 1000 + nearest.components.attoseconds / 1_000_000_000_000_000) + 1))
            let ready = poll(&fds, nfds_t(fds.count), waitMs)
            if ready < 0 && errno != EINTR {
                logger.error("metrics listener: poll failed; /metrics is no longer served", metadata: ["errno": "\(errno)"])
                break
            }
            if fds[0].revents != 0 { break }
            // Connections first (their indices match `fds` from 2 on), then new ones.
            var kept: [Connection] = []
            for (i, var c) in connections.enumerated() {
                let events = ready > 0 ? fds[i + 2].revents : 0
                if handle(&c, events: events, now: clock.now) {
                    kept.append(c)
                } else {
                    close(c.fd)
                }
            }
            connections = kept
            if ready > 0, fds[1].revents & Int16(POLLIN) != 0 {
                accept(into: &connections, deadline: clock.now.advanced(by: limits.requestTimeout))
            }
        }
        for c in connections { close(c.fd) }
    }

    /// Accepts what is pending (a bounded number per wake-up, so a flood cannot starve the
    /// others); beyond `maxConnections`, answers 503 and closes at once.
    private func accept(into connections: inout [Connection], deadline: ContinuousClock.Instant) {
        for _ in 0..<64 {
            let fd = Glibc.accept(listenFD, nil, nil)
            if fd < 0 { return }
            MetricsHTTPServer.makeNonBlockingAndCloseOnExec(fd)
            if connections.count >= limits.maxConnections {
                let reply = MetricsHTTPServer.response(503, "Service Unavailable", body: Array("too many connections\n".utf8))
                _ = reply.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                close(fd)
                continue
            }
            connections.append(Connection(fd: fd, deadline: deadline))
        }
    }

    /// Advances one connection; false when it is done (answered, hung up or out of time).
    private func handle(_ c: inout Connection, events: Int16, now: ContinuousClock.Instant) -> Bool {
        if now >= c.deadline {
            if !c.answered {
                let reply = MetricsHTTPServer.response(408, "Request Timeout", body: Array("request not complete in time\n".utf8))
                _ = reply.withUnsafeBytes { send(c.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            }
            return false
        }
        if events & Int16(POLLERR | POLLNVAL) != 0 { return false }
        if !c.answered, events & Int16(POLLIN | POLLHUP) != 0 {
            var chunk = [UInt8](repeating: 0, count: 4096)
            let room = min(chunk.count, limits.maxRequestBytes - c.input.count)
            let n = chunk.withUnsafeMutableBytes { recv(c.fd, $0.baseAddress, room, 0) }
            if n == 0 { return false }
            if n < 0 { return errno == EAGAIN || errno == EINTR }
            c.input += chunk[0..<n]
            if let end = HTTPRequestHead.endOfHead(in: c.input) {
                c.output = answer(HTTPRequestHead(c.input[..<end]))
                c.input = []
                c.answered = true
            } else if c.input.count >= limits.maxRequestBytes {
                c.output = MetricsHTTPServer.response(431, "Request Header Fields Too Large", body: Array("request head over \(limits.maxRequestBytes) bytes\n".utf8))
                c.input = []
                c.answered = true
            } else {
                return true
            }
        }
        if c.answered {
            while c.written < c.output.count {
                let n = c.output.withUnsafeBytes { send(c.fd, $0.baseAddress! + c.written, $0.count - c.written, Int32(MSG_NOSIGNAL)) }
                if n < 0 { return errno == EAGAIN || errno == EINTR }
                c.written += n
            }
            return false
        }
        return true
    }

    private func answer(_ head: HTTPRequestHead) -> [UInt8] {
        switch head {
        case .metrics(let headOnly):
            let body = render()
            return MetricsHTTPServer.response(200, "OK", contentType: "text/plain; version=0.0.4; charset=utf-8", body: body, omitBody: headOnly)
        case .notFound:
            return MetricsHTTPServer.response(404, "Not Found", body: Array("only /metrics is served here\n".utf8))
        case .methodNotAllowed:
            return MetricsHTTPServer.response(405, "Method Not Allowed", extra: "Allow: GET, HEAD\r\n", body: Array("use GET\n".utf8))
        case .malformed:
            return MetricsHTTPServer.response(400, "Bad Request", body: Array("malformed request\n".utf8))
        }
    }

    static func response(_ status: Int, _ reason: String, contentType: String = "text/plain; charset=utf-8", extra: String = "",
                         body: [UInt8], omitBody: Bool = false) -> [UInt8] {
        let head = "HTTP/1.1 \(status) \(reason)\r\nContent-Type: \(contentType)\r\nContent-Length: \(body.count)\r\n\(extra)Connection: close\r\n\r\n"
        return Array(head.utf8) + (omitBody ? [] : body)
    }

    // MARK: - The socket

    private static func bind(host: String, port: Int) throws -> Int32 {
        let address = "\(host):\(port)"
        var hints = addrinfo()
        hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &list)
        guard rc == 0, let info = list else {
            throw ListenError(what: "not a numeric address: \(String(cString: gai_strerror(rc))),", address: address, errno: EINVAL)
        }
        defer { freeaddrinfo(list) }
        let fd = socket(info.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw ListenError(what: "socket", address: address, errno: errno) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        guard Glibc.bind(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 else {
            let e = errno
            close(fd)
            throw ListenError(what: "bind", address: address, errno: e)
        }
        guard listen(fd, 64) == 0 else {
            let e = errno
            close(fd)
            throw ListenError(what: "listen", address: address, errno: e)
        }
        return fd
    }

    /// (Glibc's Swift overlay has no `accept4`/`pipe2`: those need `_GNU_SOURCE`.)
    private static func makeNonBlockingAndCloseOnExec(_ fd: Int32) {
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
    }

    private static func boundPort(_ fd: Int32) -> Int {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let ok = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) == 0 }
        }
        guard ok else { return 0 }
        let family = Int32(storage.ss_family)
        return withUnsafePointer(to: storage) { p -> Int in
            if family == AF_INET6 {
                return p.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin6_port)) }
            }
            return p.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) }
        }
    }
}

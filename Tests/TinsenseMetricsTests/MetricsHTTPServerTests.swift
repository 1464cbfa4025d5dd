import Foundation
import Logging
import Testing
import TinsenseMetrics
import TinsenseTestSupport

/// The `/metrics` listener against well-behaved and hostile clients. Each test runs its own
/// listener on a kernel-chosen loopback port with short limits, so the bounds show in seconds.
@Suite("the /metrics HTTP listener")
struct MetricsHTTPServerTests {
    static let exposition = Array("# TYPE tinsense_messages_total counter\ntinsense_messages_total 42\n".utf8)

    /// A listener with test-sized limits, stopped when `body` returns.
    func withServer(
        limits: MetricsHTTPServer.Limits = MetricsHTTPServerTests.testLimits(),
        render: @escaping @Sendable () -> [UInt8] = { MetricsHTTPServerTests.exposition },
        _ body: (MetricsHTTPServer) throws -> Void
    ) throws {
        let server = try MetricsHTTPServer(host: "127.0.0.1", port: 0, limits: limits, logger: quietLogger, render: render)
        server.start()
        defer { server.stop() }
        try body(server)
    }

    static func testLimits(timeout: Duration = .seconds(1), connections: Int = 4) -> MetricsHTTPServer.Limits {
        var l = MetricsHTTPServer.Limits()
        l.requestTimeout = timeout
        l.maxConnections = connections
        return l
    }

    @Test("GET /metrics answers 200 with the exposition as Prometheus text 0.0.4")
    func scrape() throws {
        try withServer { server in
            let reply = try HTTPReply.get(port: server.port)
            #expect(reply.status == 200)
            #expect(reply.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")
            #expect(reply.body == String(decoding: MetricsHTTPServerTests.exposition, as: UTF8.self))
            #expect(reply.headers["content-length"] == "\(MetricsHTTPServerTests.exposition.count)")
            // A query string (some scrapers add one) is the same endpoint.
            #expect(try HTTPReply.get(port: server.port, path: "/metrics?format=text").status == 200)
        }
    }

    @Test("other paths are 404, other methods 405, and a malformed request 400")
    func refusals() throws {
        try withServer { server in
            #expect(try HTTPReply.get(port: server.port, path: "/").status == 404)
            #expect(try HTTPReply.get(port: server.port, path: "/metrics/../etc").status == 404)
            for (request, status) in [
                ("POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n", 405),
                ("GET /metrics\r\n\r\n", 400),  // HTTP/0.9 style, no version
                ("GET /metrics HTTP/2.0\r\n\r\n", 400),
                ("G\u{1}T /metrics HTTP/1.1\r\n\r\n", 400),
                ("GET /metrics HTTP/1.1\r\nno colon here\r\n\r\n", 400),
                ("\r\n\r\n", 400),
            ] {
                let socket = try LoopbackSocket(port: server.port)
                socket.send(request)
                let (bytes, closed) = socket.readToEnd(timeout: 5)
                #expect(closed)
                #expect(HTTPReply(bytes)?.status == status, "\(request.debugDescription)")
            }
        }
    }

    @Test("a request head over the bound is answered 431 and closed, never buffered whole")
    func hugeRequest() throws {
        try withServer { server in
            let socket = try LoopbackSocket(port: server.port)
            // 16 MiB of header lines with no end: the listener stops reading at its 8 KiB bound.
            let line = Array("X-Filler: \(String(repeating: "a", count: 1000))\r\n".utf8)
            var sent = 0
            socket.send("GET /metrics HTTP/1.1\r\n")
            while sent < 16 << 20, socket.send(line) { sent += line.count }
            let (bytes, closed) = socket.readToEnd(timeout: 5)
            #expect(closed)
            // The reply may be lost to a reset when unread bytes were still queued: what
            // matters is that the connection was cut long before 16 MiB were taken in.
            if let reply = HTTPReply(bytes) { #expect(reply.status == 431) }
            #expect(sent < 16 << 20, "the listener kept reading \(sent) bytes")
            #expect(try HTTPReply.get(port: server.port).status == 200)
        }
    }

    @Test("a slowloris client is cut off at the timeout while other scrapes are answered at once")
    func slowloris() throws {
        try withServer { server in
            let slow = try LoopbackSocket(port: server.port)
            let started = Date()
            var cutOff: TimeInterval?
            for byte in "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: ".utf8 {
                if !slow.send([byte]) {
                    cutOff = Date().timeIntervalSince(started)
                    break
                }
                // Meanwhile, a normal scrape is served without waiting for the slow one.
                let t0 = Date()
                #expect(try HTTPReply.get(port: server.port).status == 200)
                #expect(Date().timeIntervalSince(t0) < 0.5)
                if Date().timeIntervalSince(started) > 1.5 { break }
                Thread.sleep(forTimeInterval: 0.1)
            }
            let (bytes, closed) = slow.readToEnd(timeout: 3)
            #expect(closed)
            if let reply = HTTPReply(bytes) { #expect(reply.status == 408) }
            let elapsed = cutOff ?? Date().timeIntervalSince(started)
            #expect(elapsed < 3, "cut off after \(elapsed) s, timeout 1 s")
        }
    }

    @Test("connections beyond the cap get 503 at once; once the idle ones time out, scrapes are served again")
    func connectionCap() throws {
        try withServer { server in
            let idle = try (0..<4).map { _ in try LoopbackSocket(port: server.port) }
            Thread.sleep(forTimeInterval: 0.2)
            let t0 = Date()
            let over = try HTTPReply.get(port: server.port, timeout: 2)
            #expect(over.status == 503)
            #expect(Date().timeIntervalSince(t0) < 0.5)
            Thread.sleep(forTimeInterval: 1.2)
            #expect(try HTTPReply.get(port: server.port).status == 200)
            for s in idle { #expect(s.readToEnd(timeout: 2).closed) }
        }
    }

    @Test("a client that never reads a large response does not hold up the next scrape")
    func nonReadingClient() throws {
        let big = [UInt8](repeating: UInt8(ascii: "#"), count: 8 << 20)
        try withServer(render: { big }) { server in
            let stuck = try LoopbackSocket(port: server.port)
            stuck.send("GET /metrics HTTP/1.1\r\n\r\n")
            Thread.sleep(forTimeInterval: 0.2)
            let t0 = Date()
            let socket = try LoopbackSocket(port: server.port)
            socket.send("GET /metrics HTTP/1.1\r\n\r\n")
            let (bytes, closed) = socket.readToEnd(timeout: 5)
            #expect(closed)
            #expect(HTTPReply(bytes)?.status == 200)
            #expect(bytes.count > big.count)
            #expect(Date().timeIntervalSince(t0) < 1, "waited \(Date().timeIntervalSince(t0)) s behind the stuck client")
            withExtendedLifetime(stuck) {}
        }
    }

    @Test("binding a port that is taken fails at once with the address and errno")
    func portInUse() throws {
        try withServer { server in
            #expect {
                _ = try MetricsHTTPServer(host: "127.0.0.1", port: server.port, logger: quietLogger) { [] }
            } throws: { error in
                "\(error)".contains("bind 127.0.0.1:\(server.port)") && "\(error)".contains("errno \(EADDRINUSE)")
            }
        }
    }
}

@Suite("HTTP request heads")
struct HTTPRequestHeadTests {
    func head(_ text: String) -> HTTPRequestHead? {
        let bytes = Array(text.utf8)
        return HTTPRequestHead.endOfHead(in: bytes).map { HTTPRequestHead(bytes[..<$0]) }
    }

    @Test("a head ends at the first blank line, CRLF or bare LF, and not before")
    func endOfHead() {
        #expect(HTTPRequestHead.endOfHead(in: Array("GET /metrics HTTP/1.1\r\nHost: a\r\n".utf8)) == nil)
        #expect(HTTPRequestHead.endOfHead(in: Array("GET /metrics HTTP/1.1\r\n\r\nrest".utf8)) == 25)
        #expect(HTTPRequestHead.endOfHead(in: Array("GET /metrics HTTP/1.0\n\n".utf8)) == 23)
    }

    @Test("GET and HEAD of /metrics are served; the rest is classified")
    func classification() {
        #expect(head("GET /metrics HTTP/1.1\r\nHost: a\r\n\r\n") == .metrics(headOnly: false))
        #expect(head("HEAD /metrics HTTP/1.0\r\n\r\n") == .metrics(headOnly: true))
        #expect(head("DELETE /metrics HTTP/1.1\r\n\r\n") == .methodNotAllowed)
        #expect(head("GET /favicon.ico HTTP/1.1\r\n\r\n") == .notFound)
        #expect(head("GET metrics HTTP/1.1\r\n\r\n") == .malformed)
        #expect(head("GET /met rics HTTP/1.1\r\n\r\n") == .malformed)
        #expect(head("GET /metrics HTTP/1.1\r\n: empty name\r\n\r\n") == .malformed)
    }
}

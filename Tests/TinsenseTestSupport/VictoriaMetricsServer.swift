import Foundation

/// A private VictoriaMetrics (Debian's `victoria-metrics`) on a free loopback port with its
/// own data directory, for the forwarding tests; never a system instance.
///
/// Started with `-retentionPeriod=100y` (test readings may carry any time) and
/// `-dedup.minScrapeInterval=1ms`, the setting docs/FORWARDING.md recommends so that a batch
/// sent twice (its answer lost) keeps one sample per (series, millisecond).
package final class VictoriaMetricsServer: @unchecked Sendable {
    package let port: Int
    package let directory: TemporaryDirectory
    private var process: ChildProcess?

    package var url: String { "http://127.0.0.1:\(port)" }

    package init(port: Int = FreePort.next()) {
        self.port = port
        directory = TemporaryDirectory("victoria")
    }

    package static var executable: String {
        for candidate in ["/usr/bin/victoria-metrics", "/usr/local/bin/victoria-metrics"] where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        return "victoria-metrics"
    }

    /// Starts (or starts again, on the same port and data directory) and waits until it answers.
    package func start() throws {
        process = try ChildProcess(VictoriaMetricsServer.executable, [
            "-httpListenAddr=127.0.0.1:\(port)", "-storageDataPath=\(directory.file("data"))",
            "-retentionPeriod=100y", "-dedup.minScrapeInterval=1ms", "-loggerLevel=ERROR", "-search.disableCache",
        ], outputPath: directory.file("victoria-metrics.log"))
        guard eventually(timeout: 20, { (try? get("/health"))?.status == 200 }) else {
            throw TestFailure("victoria-metrics did not start on port \(port); log: \(log)")
        }
    }

    /// SIGTERM and wait: VictoriaMetrics flushes what it acknowledged (a SIGKILL would lose
    /// its last second of acknowledged samples, which is its behaviour, not the forwarder's).
    package func stop() {
        guard let p = process else { return }
        p.signal(SIGTERM)
        p.wait()
        process = nil
    }

    package var log: String { (try? String(contentsOfFile: directory.file("victoria-metrics.log"), encoding: .utf8)) ?? "" }

    /// `GET path` over HTTP/1.0, so the answer is neither chunked nor kept alive.
    package func get(_ path: String, timeout: TimeInterval = 20) throws -> HTTPReply {
        let socket = try LoopbackSocket(port: port)
        socket.send("GET \(path) HTTP/1.0\r\nHost: 127.0.0.1:\(port)\r\n\r\n")
        let (bytes, closed) = socket.readToEnd(timeout: timeout)
        guard closed, let reply = HTTPReply(bytes) else { throw TestFailure("no complete HTTP reply from \(url)\(path)") }
        return reply
    }

    /// `POST path` with `body` (e.g. a back-fill to `/write?precision=ms`).
    package func post(_ path: String, body: String, timeout: TimeInterval = 30) throws -> HTTPReply {
        let socket = try LoopbackSocket(port: port)
        socket.send("POST \(path) HTTP/1.0\r\nHost: 127.0.0.1:\(port)\r\nContent-Type: text/plain\r\nContent-Length: \(body.utf8.count)\r\n\r\n" + body)
        let (bytes, closed) = socket.readToEnd(timeout: timeout)
        guard closed, let reply = HTTPReply(bytes) else { throw TestFailure("no complete HTTP reply to POST \(url)\(path)") }
        return reply
    }

    /// One raw sample as `/api/v1/export` gives it.
    package struct Sample: Hashable, Sendable, CustomStringConvertible {
        package var labels: [String: String]
        package var timestampMs: Int64
        package var value: Double
        package var description: String { "\(labels)@\(timestampMs)=\(value)" }

        package init(labels: [String: String], timestampMs: Int64, value: Double) {
            self.labels = labels
            self.timestampMs = timestampMs
            self.value = value
        }
    }

    /// Every sample of the series matching `selector` (e.g. `{__name__="tinsense_value"}`),
    /// after `/internal/force_flush` makes recent samples searchable.
    package func samples(_ selector: String) throws -> [Sample] {
        _ = try get("/internal/force_flush")
        let query = selector.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? selector
        let reply = try get("/api/v1/export?match%5B%5D=\(query)")
        guard reply.status == 200 else { throw TestFailure("export answered \(reply.status): \(reply.body.prefix(300))") }
        var out: [Sample] = []
        for line in reply.body.split(separator: "\n") {
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let metric = object["metric"] as? [String: String],
                  let values = object["values"] as? [Any], let times = object["timestamps"] as? [Any] else {
                throw TestFailure("unexpected export line: \(line.prefix(200))")
            }
            for (v, t) in zip(values, times) {
                let value = (v as? NSNumber)?.doubleValue ?? Double("\(v)") ?? .nan
                out.append(Sample(labels: metric, timestampMs: (t as? NSNumber)?.int64Value ?? -1, value: value))
            }
        }
        return out
    }

    deinit { stop() }
}

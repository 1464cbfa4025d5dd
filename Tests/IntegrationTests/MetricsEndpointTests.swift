import Foundation
import Testing
import TinsenseTestSupport

/// `/metrics` of the real `tinsense run` behind a real mosquitto, scraped during ingest and
/// parsed by Prometheus' own Python client (`scripts/parse-metrics.py`), so the exposition is
/// judged by an independent parser and its figures against what the test published.
@Suite("Prometheus /metrics of the real daemon", .serialized)
struct MetricsEndpointTests {
    @Test("a scrape during ingest parses with prometheus_client and counts exactly what was published")
    func scrapeDuringIngest() throws {
        let broker = try MosquittoBroker()
        try broker.start()
        let port = FreePort.next()
        let plant = try TestPlant(name: "metrics", broker: broker, extraConfig: """
            [metrics]
            enabled = true
            listen = "127.0.0.1:\(port)"
            """)
        try plant.daemon.start()
        #expect(try waitForStatus(broker: broker, topic: "tinsense/metrics/status", value: "online"))
        var idle: MetricSamples?
        #expect(eventually(timeout: 10, every: 0.2) {
            idle = try? MetricSamples.scrape(port: port)
            return idle?["tinsense_mqtt_connected"] == 1
        }, "no /metrics with mqtt_connected 1 on port \(port): \(plant.daemon.log.suffix(1500))")

        let plan = ReadingPlan(sensors: 20, perSensor: 30)
        let malformed = 7, outOfRange = 5, unknown = 3
        let publisher = try plant.publisher()
        var midway: MetricSamples?
        for k in 0..<plan.count {
            let m = plan.message(k)
            try publisher.publish(topic: m.topic, payload: m.payload, qos: 1, retain: false)
            if k == plan.count / 2 {
                try publisher.flush(timeout: .seconds(30))
                // The broker has them all now; the daemon takes them an instant later.
                _ = eventually(timeout: 10, every: 0.05) {
                    midway = try? MetricSamples.scrape(port: port)
                    return (midway?["tinsense_mqtt_messages_received_total"] ?? 0) >= Double(plan.count / 2 + 1)
                }
            }
        }
        let ts = TestClock.anHourAgo
        for _ in 0..<malformed { try publisher.publish(topic: "test/line1/s1", payload: "not json at all", qos: 1, retain: false) }
        for i in 0..<outOfRange {
            try publisher.publish(topic: "test/bounded/b\(i)", payload: #"{"ts":"\#(ts)","value":500}"#, qos: 1, retain: false)
        }
        for i in 0..<unknown { try publisher.publish(topic: "test/x\(i)", payload: #"{"value":1}"#, qos: 1, retain: false) }
        try publisher.flush(timeout: .seconds(60))
        publisher.disconnect()
        let total = plan.count + malformed + outOfRange + unknown
        #expect(plant.daemon.waitUntilQuiet(minimum: total), "daemon saw \(plant.daemon.messagesSeen) of \(total)")
        let final = try MetricSamples.scrape(port: port)

        // During ingest: a valid exposition whose counters are on their way to the final ones.
        let mid = try #require(midway)
        let midReceived = try #require(mid["tinsense_mqtt_messages_received_total"])
        #expect(midReceived >= Double(plan.count / 2 + 1) && midReceived <= Double(total))
        #expect(try #require(mid["tinsense_readings_stored_total"]) <= Double(plan.count))

        // After it: exact figures.
        #expect(final["tinsense_mqtt_messages_received_total"] == Double(total))
        #expect(final["tinsense_messages_total"] == Double(total))
        #expect(final["tinsense_readings_stored_total"] == Double(plan.count))
        #expect(final["tinsense_readings_quarantined_total", ["reason": "malformed"]] == Double(malformed))
        #expect(final["tinsense_readings_quarantined_total", ["reason": "out_of_range"]] == Double(outOfRange))
        #expect(final["tinsense_readings_quarantined_total", ["reason": "unknown_sensor"]] == Double(unknown))
        let otherReasons = final.samples.filter {
            $0.name == "tinsense_readings_quarantined_total" && !["malformed", "out_of_range", "unknown_sensor"].contains($0.labels["reason"] ?? "")
        }
        #expect(!otherReasons.isEmpty && otherReasons.allSatisfy { $0.value == 0 }, "\(otherReasons)")
        #expect(final["tinsense_mqtt_connected"] == 1)
        #expect(final["tinsense_mqtt_reconnects_total"] == 0)
        #expect(final["tinsense_queue_depth"] == 0)
        #expect(final["tinsense_pipeline_lag_seconds"] == 0)
        #expect(try #require(final["tinsense_wal_bytes"]) > Double(total * 40), "the WAL holds every message")
        #expect(final["tinsense_segment_bytes"] == 0, "nothing sealed yet (seal_interval_s = 3600)")
        let silence = try #require(final["tinsense_seconds_since_last_message"])
        #expect(silence >= 0 && silence < 60)
        let last = try #require(final["tinsense_last_message_timestamp_seconds"])
        #expect(abs(last - Date().timeIntervalSince1970) < 60)
        for state in ["pending", "firing", "muted"] { #expect(final["tinsense_alerts", ["state": state]] != nil, "no alerts{state=\(state)}") }
        for kind in ["firing", "resolved", "muted", "unmuted"] {
            #expect(final["tinsense_alert_transitions_total", ["kind": kind]] != nil, "no alert_transitions{kind=\(kind)}")
        }

        // Bounded labels: 20 sensors and 25 topics were seen, yet no series names one.
        let ours = final.samples.filter { $0.name.hasPrefix("tinsense_") }
        let labelNames = Set(ours.flatMap(\.labels.keys))
        #expect(labelNames.isSubset(of: ["reason", "state", "kind"]), "\(labelNames)")
        #expect(ours.count < 80, "\(ours.count) series")

        #expect(plant.daemon.stop() == 0)
    }

    @Test("with [metrics] enabled = false nothing listens, and the daemon ingests as before")
    func disabled() throws {
        let broker = try MosquittoBroker()
        try broker.start()
        let port = FreePort.next()
        let plant = try TestPlant(name: "nometrics", broker: broker, extraConfig: """
            [metrics]
            enabled = false
            listen = "127.0.0.1:\(port)"
            """)
        try plant.daemon.start()
        #expect(try waitForStatus(broker: broker, topic: "tinsense/nometrics/status", value: "online"))
        #expect(!FreePort.isListening(port))
        #expect(plant.daemon.stop() == 0)
    }
}

/// The samples of one scrape, as `scripts/parse-metrics.py` (prometheus_client) read them.
struct MetricSamples {
    struct Sample: Decodable, CustomStringConvertible {
        var name: String
        var labels: [String: String]
        var value: Double
        var description: String { "\(name)\(labels) \(value)" }
    }

    var samples: [Sample]

    /// The value of the one sample `name` with exactly `labels`, if present.
    subscript(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples.first { $0.name == name && $0.labels == labels }?.value
    }

    /// GET /metrics, then parse it with prometheus_client; throws if either fails.
    static func scrape(port: Int) throws -> MetricSamples {
        let reply = try HTTPReply.get(port: port)
        guard reply.status == 200 else { throw TestFailure("/metrics answered \(reply.status)") }
        let dir = TemporaryDirectory("scrape")
        try reply.body.write(toFile: dir.file("metrics.txt"), atomically: true, encoding: .utf8)
        let parser = try ChildProcess(
            "/usr/bin/env", ["python3", repositoryRoot + "/scripts/parse-metrics.py", dir.file("metrics.txt")],
            outputPath: dir.file("samples.jsonl"), errorPath: dir.file("errors.txt")
        )
        let status = parser.wait()
        let errors = (try? String(contentsOfFile: dir.file("errors.txt"), encoding: .utf8)) ?? ""
        guard status == 0 else { throw TestFailure("prometheus_client could not parse /metrics (exit \(status)): \(errors)\n\(reply.body.prefix(2000))") }
        let lines = try String(contentsOfFile: dir.file("samples.jsonl"), encoding: .utf8).split(separator: "\n")
        return MetricSamples(samples: try lines.map { try JSONDecoder().decode(Sample.self, from: Data($0.utf8)) })
    }

    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
}

import Foundation
import Testing
import TinsenseCore
import TinsenseMQTT
import TinsenseTestSupport

/// `[forward]` end to end: a real mosquitto, the real daemon, a real VictoriaMetrics started
/// on a free loopback port with its own data directory (docs/FORWARDING.md).
@Suite("forwarding to VictoriaMetrics", .serialized)
struct ForwardingTests {
    static func forwardConfig(_ url: String, spoolMB: Double = 256, metricsPort: Int? = nil) -> String {
        """
        [metrics]
        enabled = \(metricsPort != nil)
        listen = "127.0.0.1:\(metricsPort ?? 9)"

        [forward]
        enabled = true
        url = "\(url)"
        batch_max_readings = 2000
        batch_max_delay_ms = 200
        spool_max_mb = \(spoolMB)
        retry_min_s = 0.2
        retry_max_s = 1
        timeout_s = 5
        """
    }

    @Test("VictoriaMetrics stopped for 30 s mid-stream: afterwards it holds exactly the samples tinsense stored")
    func outage() throws {
        let broker = try MosquittoBroker()
        try broker.start()
        let vm = VictoriaMetricsServer()
        try vm.start()
        let plant = try TestPlant(name: "fwd-outage", broker: broker, extraConfig: ForwardingTests.forwardConfig(vm.url))
        try plant.daemon.start()
        #expect(try waitForStatus(broker: broker, topic: "tinsense/fwd-outage/status", value: "online"))
        let plan = ReadingPlan(sensors: 20, perSensor: 180)
        let publisher = try plant.publisher()
        // 100 messages a second for 36 s; VictoriaMetrics is away from 3 s to 33 s.
        let started = Date()
        var stoppedAt: Date?, restartedAt: Date?
        for k in 0..<plan.count {
            let m = plan.message(k)
            try publisher.publish(topic: m.topic, payload: m.payload, qos: 1, retain: false)
            let due = started.addingTimeInterval(Double(k + 1) / 100)
            if due > Date() { Thread.sleep(until: due) }
            if stoppedAt == nil, Date().timeIntervalSince(started) >= 3 {
                vm.stop()
                stoppedAt = Date()
            }
            if let s = stoppedAt, restartedAt == nil, Date().timeIntervalSince(s) >= 30 {
                try vm.start()
                restartedAt = Date()
            }
        }
        try publisher.flush(timeout: .seconds(60))
        publisher.disconnect()
        #expect(restartedAt != nil, "the stream must outlast the outage")
        #expect(plant.daemon.waitUntilQuiet(minimum: plan.count))
        var got: [VictoriaMetricsServer.Sample] = []
        let drained = try eventually(timeout: 30, every: 0.5) {
            got = try vm.samples(#"{__name__="tinsense_value"}"#)
            return got.count >= plan.count
        }
        #expect(drained, "VictoriaMetrics holds \(got.count) of \(plan.count)")
        #expect(plant.daemon.log.contains("forwarding failed"), "the outage was seen")
        #expect(plant.daemon.stop() == 0)
        let stored = try plant.exported()
        #expect(stored.count == plan.count)
        #expect(got.count == stored.count, "\(ForwardedRow.difference(got, stored))")
        #expect(Set(got.map(ForwardedRow.init)) == Set(stored.map(ForwardedRow.init)))
    }

    @Test("kill -9 of the daemon with a non-empty spool, then restart: every stored reading arrives")
    func killNineWithSpool() throws {
        let broker = try MosquittoBroker()
        try broker.start()
        let vm = VictoriaMetricsServer()
        let plant = try TestPlant(name: "fwd-kill", broker: broker, extraConfig: ForwardingTests.forwardConfig(vm.url))
        try plant.daemon.start()
        #expect(try waitForStatus(broker: broker, topic: "tinsense/fwd-kill/status", value: "online"))
        let plan = ReadingPlan(sensors: 40, perSensor: 50)
        try plant.publish(plan)
        #expect(plant.daemon.waitUntilQuiet(minimum: plan.count))
        let spooled = try FileManager.default.contentsOfDirectory(atPath: plant.directory.file("data/forward")).filter { $0.hasSuffix(".spool") }
        let spoolBytes = spooled.reduce(0) { $0 + ((try? FileManager.default.attributesOfItem(atPath: plant.directory.file("data/forward/\($1)"))[.size] as? Int) ?? 0) }
        #expect(spoolBytes > 40 * plan.count, "the spool holds the readings VictoriaMetrics has not taken")
        plant.daemon.kill9()
        try vm.start()
        try plant.daemon.start()
        var got: [VictoriaMetricsServer.Sample] = []
        let arrived = try eventually(timeout: 30, every: 0.5) {
            got = try vm.samples(#"{__name__="tinsense_value"}"#)
            return got.count >= plan.count
        }
        #expect(arrived, "VictoriaMetrics holds \(got.count) of \(plan.count)")
        #expect(plant.daemon.stop() == 0)
        let stored = try plant.exported()
        #expect(stored.count == plan.count)
        // The replay spools again what the lost head held: sent twice, stored once
        // (same time, same value; `-dedup.minScrapeInterval=1ms`).
        #expect(got.count == stored.count, "\(ForwardedRow.difference(got, stored))")
        #expect(Set(got.map(ForwardedRow.init)) == Set(stored.map(ForwardedRow.init)))
    }

    @Test("a full spool alerts, ingestion goes on, and the documented back-fill fills the gap")
    func spoolFullThenBackfill() throws {
        let broker = try MosquittoBroker()
        try broker.start()
        let vm = VictoriaMetricsServer()
        let metricsPort = FreePort.next()
        let plant = try TestPlant(name: "fwd-full", broker: broker, extraConfig: ForwardingTests.forwardConfig(vm.url, spoolMB: 0.02, metricsPort: metricsPort))
        try plant.daemon.start()
        #expect(try waitForStatus(broker: broker, topic: "tinsense/fwd-full/status", value: "online"))
        let plan = ReadingPlan(sensors: 10, perSensor: 200)
        try plant.publish(plan)
        #expect(plant.daemon.waitUntilQuiet(minimum: plan.count))
        // Every reading is stored although most could not be spooled.
        #expect(plant.daemon.storedCount == plan.count)
        let alerts = plant.directory.file("data/alerts.jsonl")
        let firing = (try? String(contentsOfFile: alerts, encoding: .utf8)) ?? ""
        #expect(firing.contains(#""state":"firing""#) && firing.contains("forward_spool_full"), "alert log: \(firing)")
        let metrics = try HTTPReply.get(port: metricsPort).body
        #expect(metrics.contains("tinsense_forward_spool_full 1"))
        #expect(metrics.contains("tinsense_forward_readings_not_spooled_total"))
        // VictoriaMetrics comes up; the spool drains and takes readings again.
        try vm.start()
        #expect(eventually(timeout: 20) { (try? HTTPReply.get(port: metricsPort).body.contains("tinsense_forward_spool_full 0")) == true })
        try plant.publish(ReadingPlan(sensors: 1, perSensor: 1, start: plan.start.adding(milliseconds: 3_600_000)), client: "after", flushTimeout: 10)
        var resolved = ""
        #expect(eventually(timeout: 10) {
            resolved = (try? String(contentsOfFile: alerts, encoding: .utf8)) ?? ""
            return resolved.contains(#""state":"resolved""#)
        })
        // The reading that ended the episode is forwarded as usual (not part of the gap).
        let last = Timestamp(millisecondsSinceEpoch: plan.start.millisecondsSinceEpoch + 3_600_000).millisecondsSinceEpoch
        #expect(eventually(timeout: 10) { (try? vm.samples(#"{__name__="tinsense_value",sensor="line0/s0"}"#))?.contains { $0.timestampMs == last } == true })
        #expect(plant.daemon.stop() == 0)
        // Back-fill as the resolved line and docs/FORWARDING.md say: export the gap it names,
        // POST it to /write?precision=ms.
        let range = try #require(resolved.firstMatch(of: /--from (\S+) --to (\S+)/), "resolved line: \(resolved)")
        let (status, lines, err) = try runTinsense([
            "export", "--data", plant.directory.file("data"), "--from", String(range.1), "--to", String(range.2), "--format", "victoriametrics",
        ])
        #expect(status == 0, "\(err)")
        let reply = try vm.post("/write?precision=ms", body: lines)
        #expect(reply.status == 204)
        let got = try vm.samples(#"{__name__="tinsense_value"}"#)
        let stored = try plant.exported()
        #expect(stored.count == plan.count + 1)
        #expect(got.count == stored.count, "back-fill range \(range.1) … \(range.2): \(ForwardedRow.difference(got, stored))")
        #expect(Set(got.map(ForwardedRow.init)) == Set(stored.map(ForwardedRow.init)))
    }
}

/// A reading as both sides can state it: sensor, source time in ms, value as a double.
struct ForwardedRow: Hashable, CustomStringConvertible {
    var sensor: String
    var milliseconds: Int64
    var value: Double

    init(_ s: VictoriaMetricsServer.Sample) {
        sensor = s.labels["sensor"] ?? "?"
        milliseconds = s.timestampMs
        value = s.value
    }

    init(_ r: StoredRow) {
        sensor = r.sensor
        milliseconds = RFC3339.parse(r.sourceTime)?.millisecondsSinceEpoch ?? -1
        value = Double(r.value) ?? .nan
    }

    var description: String { "\(sensor)@\(milliseconds)=\(value)" }

    /// How VictoriaMetrics' samples differ from the stored rows, briefly (for failure messages).
    static func difference(_ got: [VictoriaMetricsServer.Sample], _ stored: [StoredRow]) -> String {
        let g = got.map(ForwardedRow.init), s = Set(stored.map(ForwardedRow.init))
        let missing = s.subtracting(g), extra = Set(g).subtracting(s)
        return "VictoriaMetrics \(g.count), stored \(stored.count); missing \(missing.count) (e.g. \(missing.sorted { $0.milliseconds < $1.milliseconds }.prefix(3))), unexpected \(extra.count) (e.g. \(extra.prefix(3))), duplicates \(g.count - Set(g).count)"
    }
}

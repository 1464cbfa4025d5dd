import Foundation
import Testing
import TinsenseCore
import TinsenseMQTT
import TinsenseTestSupport

/// End-to-end: a real mosquitto on a free loopback port, the real `tinsense` executable, and
/// `tinsense export` reading back what was stored.
@Suite("ingest through a real broker", .serialized)
struct IngestTests {
    @Test("10,000 readings over 200 sensors at QoS 1 are each stored once with exact values")
    func tenThousandReadings() throws {
        let broker = try MosquittoBroker()
        try broker.start()
        let plant = try TestPlant(name: "tenk", broker: broker)
        try plant.daemon.start()
        // Its first session must exist (subscribed) before anything is published to it.
        #expect(try waitForStatus(broker: broker, topic: "tinsense/tenk/status", value: "online"))
        let plan = ReadingPlan(sensors: 200, perSensor: 50)
        let expected = try plant.publish(plan)
        #expect(plant.daemon.waitUntilQuiet(minimum: plan.count), "daemon saw \(plant.daemon.messagesSeen) of \(plan.count)")
        #expect(plant.daemon.stop() == 0)
        let stored = try plant.exported()
        #expect(stored.count == plan.count && Set(stored) == Set(expected), "\(difference(stored, expected))")
        #expect(plant.quarantined().isEmpty)
    }

    @Test("a daemon started before its broker connects once the broker comes up")
    func daemonBeforeBroker() throws {
        let broker = try MosquittoBroker()
        let plant = try TestPlant(name: "early", broker: broker)
        try plant.daemon.start()
        Thread.sleep(forTimeInterval: 2)
        #expect(plant.daemon.isRunning)
        try broker.start()
        // The daemon must (re)connect by itself and subscribe before we publish: wait for its
        // retained status to say online.
        #expect(try waitForStatus(broker: broker, topic: "tinsense/early/status", value: "online"))
        let plan = ReadingPlan(sensors: 10, perSensor: 10)
        try plant.publish(plan, flushTimeout: 30)
        #expect(plant.daemon.waitUntilQuiet(minimum: plan.count))
        #expect(plant.daemon.stop() == 0)
        let stored = try plant.exported()
        let expected = (0..<plan.count).map { plan.message($0).row }
        #expect(stored.count == plan.count && Set(stored) == Set(expected), "\(difference(stored, expected))")
    }

    @Test("a broker restart mid-stream loses nothing: the daemon reconnects and resubscribes")
    func brokerRestart() throws {
        let broker = try MosquittoBroker()
        try broker.start()
        let plant = try TestPlant(name: "restart", broker: broker)
        try plant.daemon.start()
        #expect(try waitForStatus(broker: broker, topic: "tinsense/restart/status", value: "online"))
        let plan = ReadingPlan(sensors: 20, perSensor: 150)
        let half = plan.count / 2
        try plant.publish(plan, 0..<half, client: "a", flushTimeout: 30)
        // Restart while the daemon is still working through the first half.
        broker.stop()
        Thread.sleep(forTimeInterval: 0.5)
        try broker.start()
        try plant.publish(plan, half..<plan.count, client: "b", flushTimeout: 30)
        #expect(plant.daemon.waitUntilQuiet(minimum: plan.count))
        #expect(plant.daemon.log.contains("reconnected to broker; resubscribed"))
        #expect(plant.daemon.stop() == 0)
        let stored = try plant.exported()
        let expected = (0..<plan.count).map { plan.message($0).row }
        #expect(stored.count == plan.count && Set(stored) == Set(expected), "\(difference(stored, expected))")
    }

    @Test("kill -9 mid-stream, then restart: every published reading is stored exactly once")
    func killNine() throws {
        let broker = try MosquittoBroker()
        try broker.start()
        let plant = try TestPlant(name: "kill9", broker: broker)
        try plant.daemon.start()
        #expect(try waitForStatus(broker: broker, topic: "tinsense/kill9/status", value: "online"))
        let plan = ReadingPlan(sensors: 50, perSensor: 100)
        let publisher = try plant.publisher()
        var killed = false
        for k in 0..<plan.count {
            let m = plan.message(k)
            try publisher.publish(topic: m.topic, payload: m.payload, qos: 1, retain: false)
            if k == plan.count / 3 {
                // Let the daemon get busy, then crash it mid-stream.
                _ = eventually(timeout: 10) { plant.daemon.messagesSeen > 0 }
                plant.daemon.kill9()
                killed = true
            }
            if k == 2 * plan.count / 3 { try plant.daemon.start() }
        }
        #expect(killed)
        try publisher.flush(timeout: .seconds(60))
        publisher.disconnect()
        #expect(plant.daemon.waitUntilQuiet(minimum: 1))
        #expect(plant.daemon.stop() == 0)
        let stored = try plant.exported()
        let expected = (0..<plan.count).map { plan.message($0).row }
        #expect(stored.count == plan.count && Set(stored) == Set(expected), "\(difference(stored, expected))")
        // Whatever the broker redelivered is quarantined as a duplicate, never stored twice.
        let reasons = Set(plant.quarantined().compactMap { $0["reason"] as? String })
        #expect(reasons.isSubset(of: ["duplicate"]))
    }

    @Test("malformed, NaN, out-of-range and unknown-topic payloads are quarantined; good ones stored")
    func badPayloads() throws {
        let broker = try MosquittoBroker()
        try broker.start()
        let plant = try TestPlant(name: "bad", broker: broker)
        try plant.daemon.start()
        #expect(try waitForStatus(broker: broker, topic: "tinsense/bad/status", value: "online"))
        let publisher = try plant.publisher()
        let t0 = TestClock.anHourAgo
        var good: [StoredRow] = []
        let bad: [(topic: String, payload: String, reason: String)] = [
            ("test/line1/a", "{not json", "malformed"),
            ("test/line1/a", #"{"ts":"\#(t0)"}"#, "malformed"),
            ("test/line1/a", #"{"value":NaN}"#, "nan"),
            ("test/line1/a", #"{"value":"Infinity","ts":1790000000000}"#, "nan"),
            ("test/bounded/b", #"{"value":150.5,"ts":"\#(t0)"}"#, "out_of_range"),
            ("test/unknown", "12.5", "unknown_sensor"),
            ("test/line1/a", #"{"value":1,"ts":"2099-01-01T00:00:00Z"}"#, "clock_skew"),
        ]
        for i in 0..<30 {
            let t = t0.adding(milliseconds: Int64(i) * 1000)
            let value = DecimalValue(mantissa: Int64(i * 13 - 50), scale: 1)
            try publisher.publish(topic: "test/line1/a", payload: #"{"ts":"\#(t)","value":\#(value)}"#, qos: 1, retain: false)
            good.append(StoredRow(sensor: "line1/a", sourceTime: t.description, value: value.description))
            let b = bad[i % bad.count]
            try publisher.publish(topic: b.topic, payload: b.payload, qos: 1, retain: false)
        }
        try publisher.publish(topic: "test/bounded/b", payload: "42.00", qos: 1, retain: false)
        try publisher.flush(timeout: .seconds(30))
        publisher.disconnect()
        #expect(plant.daemon.waitUntilQuiet(minimum: 61))
        #expect(plant.daemon.isRunning)
        #expect(plant.daemon.stop() == 0)
        let stored = try plant.exported()
        #expect(Set(good).isSubset(of: Set(stored)), "\(difference(stored, good))")
        #expect(stored.contains { $0.sensor == "bounded/b" && $0.value == "42.00" })
        #expect(stored.count == good.count + 1)
        let q = plant.quarantined()
        #expect(q.count == 30)
        var byReason: [String: Int] = [:]
        for line in q { byReason[line["reason"] as? String ?? "?", default: 0] += 1 }
        let expectedReasons = (0..<30).reduce(into: [String: Int]()) { acc, i in acc[bad[i % bad.count].reason, default: 0] += 1 }
        #expect(byReason == expectedReasons)
        let unknown = q.first { ($0["reason"] as? String) == "unknown_sensor" }
        #expect(unknown?["topic"] as? String == "test/unknown")
        #expect(unknown?["payload"] as? String == "12.5")
    }
}

/// Subscribes with mosquitto_sub until the retained status topic shows `value`.
func waitForStatus(broker: MosquittoBroker, topic: String, value: String, timeout: TimeInterval = 20) throws -> Bool {
    let dir = TemporaryDirectory("status")
    return eventually(timeout: timeout, every: 0.3) {
        guard let p = try? ChildProcess("/usr/bin/mosquitto_sub", ["-h", "127.0.0.1", "-p", "\(broker.port)", "-t", topic, "-C", "1", "-W", "1"], outputPath: dir.file("out")) else { return false }
        p.wait()
        let text = (try? String(contentsOfFile: dir.file("out"), encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(atPath: dir.file("out"))
        return text.trimmingCharacters(in: .whitespacesAndNewlines) == value
    }
}

import Foundation
import Testing
import TinsenseCore
import TinsenseMQTT
import TinsenseTestSupport

/// Line protocol through a real mosquitto and the daemon: messages of several lines and
/// fields, with bad lines, string fields and NaN among them. Every numeric field is stored
/// under the sensor its (topic, metric, tags) names, the rest is quarantined with a reason
/// that names the line or field, and nothing is lost.
@Suite("line protocol ingest", .serialized)
struct LineProtocolIngestTests {
    static let sensors = """
        [[sensor]]
        topic = "test/lp/{site}"
        format = "influx"
        precision = "ms"
        metric = "flotation/*"
        id = "{site}/{tag.cell}/{metric}"
        stale_after_s = 0

        [[sensor]]
        topic = "test/lp/{site}"
        format = "influx"
        precision = "ms"
        stale_after_s = 0
        """

    @Test("several lines and fields per message, bad lines among them: every number stored, every refusal quarantined with its line, 0 lost")
    func ingest() throws {
        let broker = try MosquittoBroker()
        try broker.start()
        let plant = try TestPlant(name: "lineproto", broker: broker, sensorsFirst: LineProtocolIngestTests.sensors)
        try plant.daemon.start()
        guard try waitForStatus(broker: broker, topic: "tinsense/lineproto/status", value: "online") else {
            throw TestFailure("daemon did not come online: \(plant.daemon.log.suffix(2_000))")
        }
        let publisher = try plant.publisher()
        let messages = 40
        var expected: [StoredRow] = []
        for k in 0..<messages {
            let t = TestClock.anHourAgo.adding(milliseconds: Int64(k) * 1000)
            let ms = t.millisecondsSinceEpoch
            let ph1 = DecimalValue(mantissa: Int64(700 + k), scale: 2), ph2 = DecimalValue(mantissa: Int64(650 + k), scale: 2)
            let payload = """
                # batch \(k) from the flotation gateway\r
                flotation,cell=c1 ph=\(ph1),level_pct=55.\(k % 10) \(ms)\r
                flotation,cell=c2 level_pct=5\(k % 10).5e0,ph=\(ph2) \(ms)

                crusher,unit=jaw1 power_kw=\(70 + k)i,running=t,state="crushing, \\"ok\\"",temp=NaN \(ms)
                crusher,unit=jaw1 power_kw
                """
            try publisher.publish(topic: "test/lp/s1", payload: payload, qos: 1, retain: false)
            let time = t.description
            expected += [
                StoredRow(sensor: "s1/c1/flotation/ph", sourceTime: time, value: ph1.description),
                StoredRow(sensor: "s1/c1/flotation/level_pct", sourceTime: time, value: "55.\(k % 10)"),
                StoredRow(sensor: "s1/c2/flotation/level_pct", sourceTime: time, value: "5\(k % 10).5"),
                StoredRow(sensor: "s1/c2/flotation/ph", sourceTime: time, value: ph2.description),
                StoredRow(sensor: "test/lp/s1/crusher/power_kw{unit=jaw1}", sourceTime: time, value: "\(70 + k)"),
                StoredRow(sensor: "test/lp/s1/crusher/running{unit=jaw1}", sourceTime: time, value: "1"),
            ]
        }
        try publisher.flush(timeout: .seconds(60))
        let stored = eventually(timeout: 60, every: 0.2) { plant.daemon.storedCount >= expected.count }
        #expect(stored, "\(plant.daemon.storedCount) of \(expected.count) stored; log tail: \(plant.daemon.log.suffix(1_500))")
        var quarantine: [[String: Any]] = []
        _ = eventually(timeout: 10) {
            quarantine = plant.quarantined()
            return quarantine.count >= 3 * messages
        }
        publisher.disconnect()
        plant.daemon.signal(SIGTERM)
        #expect(plant.daemon.waitForExit(timeout: 30) == 0)

        let rows = try plant.exported()
        #expect(Set(rows) == Set(expected), "\(difference(rows, expected))")
        #expect(rows.count == expected.count, "duplicates stored")

        let byReason = quarantine.reduce(into: [String: Int]()) { $0[$1["reason"] as? String ?? "?", default: 0] += 1 }
        #expect(byReason == ["malformed": 2 * messages, "nan": messages], "\(byReason)")
        let details = quarantine.compactMap { $0["detail"] as? String }
        #expect(details.filter { $0 == #"line 6: field "power_kw" has no '=value'"# }.count == messages, "\(Set(details))")
        #expect(details.filter { $0 == #"line 5: field "state" of "crusher" is a string, not a reading"# }.count == messages, "\(Set(details))")
        // A broken line or a string field names no sensor; a NaN field does (it resolved first).
        #expect(quarantine.filter { $0["reason"] as? String == "malformed" }.allSatisfy { $0["sensor"] as? String == nil })
        #expect(quarantine.filter { $0["reason"] as? String == "nan" }.allSatisfy { $0["sensor"] as? String == "test/lp/s1/crusher/temp{unit=jaw1}" })
    }
}

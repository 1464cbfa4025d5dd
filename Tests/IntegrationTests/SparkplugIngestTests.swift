import Foundation
import Logging
import Testing
import TinsenseCore
import TinsenseMQTT
import TinsenseSimulator
import TinsenseTestSupport

/// Sparkplug B end to end: the simulator's edge node (`SparkplugPlantEncoder`, what
/// `tinsense simulate --format sparkplug` publishes) → a real mosquitto → the daemon →
/// `tinsense export`, and the NDEATH → stale alerts.
@Suite("Sparkplug B through a real broker", .serialized)
struct SparkplugIngestTests {
    static let sensors = """
        [metrics]
        enabled = false

        [[sensor]]
        topic = "spBv1.0/tinmine/+/pilot1/{device}"
        format = "sparkplug"
        id = "{device}/{metric}"
        stale_after_s = 3600

        # The node's own topic (NBIRTH, NDEATH, NDATA) must be Sparkplug too: the births are there.
        [[sensor]]
        topic = "spBv1.0/tinmine/+/{node}"
        format = "sparkplug"
        id = "{node}/{metric}"
        stale_after_s = 3600
        """

    @Test("every DDATA sample is stored once under {device}/{metric} with its value and time; the NDEATH marks the node's sensors stale")
    func plantThroughBroker() throws {
        let broker = try MosquittoBroker()
        try broker.start()
        let plant = try TestPlant(name: "spb", broker: broker, extraConfig: Self.sensors, subscribe: ["spBv1.0/tinmine/#"])
        try plant.daemon.start()
        #expect(try waitForStatus(broker: broker, topic: "tinsense/spb/status", value: "online"))

        var model = PlantModel(seed: 11, start: TestClock.anHourAgo)
        var encoder = SparkplugPlantEncoder(sensors: model.sensors, bdSeq: 4)
        let publisher = try MQTTPublisher(broker: BrokerURL(parsing: broker.url), clientID: "\(plant.clientID)-edge", logger: Logger(label: "edge"))
        let will = encoder.death()
        try publisher.setWill(topic: will.topic, payload: will.payload, qos: 1, retain: false)
        try publisher.connect(timeout: .seconds(10))
        var published = 0
        for m in encoder.birth(at: model.start) {
            try publisher.publish(topic: m.topic, payload: m.payload, qos: 1, retain: false)
            published += 1
        }
        let samples = model.messages(upTo: model.start.adding(milliseconds: 30_000))
        var expected: [StoredRow] = []
        for sample in samples {
            guard let m = encoder.data(sample), let value = sample.sentValue else { continue }
            try publisher.publish(topic: m.topic, payload: m.payload, qos: 1, retain: false)
            published += 1
            expected.append(StoredRow(sensor: sample.sensor, sourceTime: RFC3339.format(sample.time), value: value.description))
        }
        try publisher.flush(timeout: .seconds(60))
        #expect(plant.daemon.waitUntilQuiet(minimum: published), "daemon saw \(plant.daemon.messagesSeen) of \(published)")

        // The edge node goes away: its NDEATH (the will's payload) marks every sensor stale.
        try publisher.publish(topic: will.topic, payload: will.payload, qos: 1, retain: false)
        try publisher.flush(timeout: .seconds(10))
        publisher.disconnect()
        let alertLog = plant.directory.file("data/alerts.jsonl")
        let everySensor = Set(expected.map(\.sensor))  // the XRF streams may not report in 30 s
        var staleSensors: Set<String> = []
        let marked = eventually(timeout: 20) {
            let lines = ((try? String(contentsOfFile: alertLog, encoding: .utf8)) ?? "").split(separator: "\n")
            staleSensors = Set(lines.compactMap { line -> String? in
                guard let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                      o["rule"] as? String == "stale", o["state"] as? String == "firing" else { return nil }
                return o["sensor"] as? String
            })
            return staleSensors == everySensor
        }
        #expect(marked, "stale after the NDEATH: \(staleSensors.count) of \(everySensor.count); missing \(everySensor.subtracting(staleSensors).sorted().prefix(5))")
        #expect(plant.daemon.stop() == 0)

        // Values travel as Double, so 12.50 arrives as 12.5: compared as numbers.
        let stored = try plant.exported()
        func numeric(_ rows: [StoredRow]) -> [String: Double] {
            Dictionary(rows.map { ("\($0.sensor)@\($0.sourceTime)", Double($0.value) ?? .nan) }, uniquingKeysWith: { a, _ in a })
        }
        #expect(stored.count == expected.count, "stored \(stored.count) of \(expected.count): \(difference(stored, expected).prefix(400))")
        #expect(numeric(stored) == numeric(expected))
        #expect(plant.quarantined().isEmpty, "\(plant.quarantined().prefix(3))")
    }
}

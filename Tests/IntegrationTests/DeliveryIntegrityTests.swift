import Foundation
import Testing
import TinsenseCore
import TinsenseMQTT
import TinsenseTestSupport

/// Issue 9, findings 2 and 7, through a real mosquitto and the real daemon: a message too large
/// for the WAL is quarantined and acknowledged instead of wedging the network thread, and a
/// retained value without a source timestamp is stored once however often the broker resends it.
@Suite("delivery integrity through a real broker", .serialized)
struct DeliveryIntegrityTests {
    @Test("a 20 MB payload is quarantined as too_large, acknowledged, and the reading after it is stored")
    func twentyMegabytePayload() throws {
        let broker = try MosquittoBroker()
        try broker.start()
        let plant = try TestPlant(name: "huge", broker: broker)
        try plant.daemon.start()
        #expect(try waitForStatus(broker: broker, topic: "tinsense/huge/status", value: "online"))
        let publisher = try plant.publisher()
        let huge = [UInt8](repeating: UInt8(ascii: "7"), count: 20_000_000)
        try publisher.publish(topic: "test/line1/a", payload: huge, qos: 1, retain: false)
        let t = TestClock.anHourAgo
        try publisher.publish(topic: "test/line1/a", payload: #"{"ts":"\#(t)","value":1.25}"#, qos: 1, retain: false)
        try publisher.flush(timeout: .seconds(60))
        publisher.disconnect()
        // Before the fix the network thread retried the oversized WAL append forever.
        let quiet = plant.daemon.waitUntilQuiet(minimum: 2, timeout: 40)
        #expect(quiet, "the daemon processed \(plant.daemon.messagesSeen) of 2 messages")
        if quiet { #expect(plant.daemon.stop() == 0) } else { plant.daemon.kill9() }
        let stored = try plant.exported()
        #expect(stored == [StoredRow(sensor: "line1/a", sourceTime: t.description, value: "1.25")])
        let q = plant.quarantined()
        #expect(q.count == 1)
        #expect(q.first?["reason"] as? String == "too_large")
        #expect((q.first?["detail"] as? String)?.contains("20000000 bytes") == true, "\(q)")
        #expect((q.first?["payload"] as? String)?.count == 1_024)

        // Acknowledged: a new session of the same client gets nothing redelivered.
        try plant.daemon.start()
        #expect(try waitForStatus(broker: broker, topic: "tinsense/huge/status", value: "online"))
        Thread.sleep(forTimeInterval: 3)
        #expect(plant.daemon.messagesSeen == 0)
        #expect(plant.daemon.stop() == 0)
        #expect(plant.quarantined().count == 1)
        #expect(try plant.exported().count == 1)
    }

    @Test("a retained bare 42 is stored once over three daemon runs; the resends are quarantined as duplicate")
    func retainedAcrossRestarts() throws {
        let broker = try MosquittoBroker()
        try broker.start()
        let plant = try TestPlant(name: "retained", broker: broker)
        try plant.daemon.start()
        #expect(try waitForStatus(broker: broker, topic: "tinsense/retained/status", value: "online"))
        let publisher = try plant.publisher()
        try publisher.publish(topic: "test/line1/r", payload: "42", qos: 1, retain: true)
        try publisher.flush(timeout: .seconds(10))
        publisher.disconnect()
        #expect(plant.daemon.waitUntilQuiet(minimum: 1, timeout: 30))
        #expect(plant.daemon.stop() == 0)
        // Each new run resubscribes, and the broker sends the retained message again.
        for run in 2...3 {
            try plant.daemon.start()
            #expect(plant.daemon.waitUntilQuiet(minimum: 1, timeout: 30), "run \(run)")
            if run == 2 { #expect(plant.daemon.stop() == 0) } else { plant.daemon.kill9() }
        }
        // The third run was killed: its WAL is replayed by a fourth, which must not store it either.
        try plant.daemon.start()
        #expect(plant.daemon.waitUntilQuiet(minimum: 1, timeout: 30))
        #expect(plant.daemon.stop() == 0)
        let stored = try plant.exported().filter { $0.sensor == "line1/r" }
        #expect(stored.count == 1, "\(stored)")
        #expect(stored.first?.value == "42")
        let q = plant.quarantined()
        #expect(q.count >= 3 && q.allSatisfy { $0["reason"] as? String == "duplicate" }, "\(q)")
        #expect(q.allSatisfy { ($0["detail"] as? String)?.contains("retained") == true }, "\(q)")
    }
}

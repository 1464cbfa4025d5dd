import Foundation
import Logging
import Testing
import TinsenseCore
import TinsenseMQTT
import TinsenseStorage
import TinsenseSystem
import TinsenseTestSupport
@testable import TinsenseDaemon

/// QoS 0 messages are written a burst at a time (`IngestSink.coalescesQoS0`, docs/RELIABILITY.md,
/// "QoS 0 bursts"): held until the socket has nothing more to read, before any QoS 1 message,
/// at 256 messages, or by the pipeline thread once 50 ms old; always in arrival order, and
/// never queued before they are in the WAL.
@Suite("QoS 0 bursts: one WAL write per burst")
struct QoS0CoalescingTests {
    struct Rig {
        let dir = TemporaryDirectory("coalesce")
        let wal: WriteAheadLog
        let queue: MessageQueue
        let sink: IngestSink

        init(capacity: Int = 4096) throws {
            wal = try WriteAheadLog(directory: dir.path, logger: quietLogger)
            queue = MessageQueue(capacity: capacity, maxBytes: 1 << 30)
            sink = IngestSink(wal: wal, queue: queue, maxPayloadBytes: 1 << 20, keptPrefixBytes: 1024, logger: quietLogger, clock: WallClock.now)
        }

        func receive(_ payload: String, qos: UInt8 = 0, topic: String = "plant/a", packetID: Int32 = 0) {
            Array(topic.utf8).withUnsafeBytes { t in
                Array(payload.utf8).withUnsafeBytes { p in
                    sink.receive(topic: t, payload: p, qos: qos, retained: false, packetID: packetID, connection: 1)
                }
            }
        }

        func walPayloads() throws -> [String] {
            var reader = try wal.records(from: nil)
            var out: [String] = []
            while let e = reader.next() { out.append(String(decoding: e.record.payload, as: UTF8.self)) }
            return out
        }

        func walEnds() throws -> [WALPosition] {
            var reader = try wal.records(from: nil)
            var out: [WALPosition] = []
            while let e = reader.next() { out.append(e.end) }
            return out
        }

        func drainQueue() -> [IngestedMessage] {
            var out: [IngestedMessage] = []
            while let batch = queue.popBatch(max: 1024, timeout: 0), !batch.isEmpty { out += batch }
            return out
        }
    }

    @Test("QoS 0 messages wait for the end of their burst, then go to the WAL in one write and to the queue in order, each with its WAL end")
    func heldUntilDrained() throws {
        let rig = try Rig()
        #expect(rig.sink.coalescesQoS0)
        for i in 0..<10 { rig.receive("\(i)") }
        #expect(try rig.walPayloads().isEmpty, "nothing is written before the burst ends")
        #expect(rig.queue.depth == 0, "nothing is queued before it is in the WAL")
        rig.sink.inputDrained()
        #expect(try rig.walPayloads() == (0..<10).map { "\($0)" })
        let queued = rig.drainQueue()
        #expect(queued.map { String(decoding: $0.payload, as: UTF8.self) } == (0..<10).map { "\($0)" })
        #expect(queued.map(\.walEnd) == (try rig.walEnds()).map { Optional($0) })
        rig.sink.inputDrained()
        #expect(try rig.walPayloads().count == 10, "draining again writes nothing twice")
    }

    @Test("a QoS 1 message writes the held QoS 0 messages first: WAL and queue keep arrival order")
    func qos1WritesHeldFirst() throws {
        let rig = try Rig()
        for i in 0..<5 { rig.receive("q0-\(i)") }
        rig.receive("q1", qos: 1, packetID: 7)
        let order = (0..<5).map { "q0-\($0)" } + ["q1"]
        #expect(try rig.walPayloads() == order, "the QoS 1 message is durable when receive returns, after what came before it")
        #expect(rig.drainQueue().map { String(decoding: $0.payload, as: UTF8.self) } == order)
        rig.receive("late")
        #expect(try rig.walPayloads() == order)
        rig.sink.inputDrained()
        #expect(try rig.walPayloads() == order + ["late"])
    }

    @Test("a burst that never ends is written every 256 messages (a quarter of a small queue)")
    func countBound() throws {
        let rig = try Rig()
        #expect(rig.sink.maxHeldMessages == 256)
        for i in 0..<600 { rig.receive("\(i)") }
        #expect(try rig.walPayloads() == (0..<512).map { "\($0)" })
        #expect(rig.drainQueue().count == 512)
        rig.sink.inputDrained()
        #expect(try rig.walPayloads().count == 600)
        #expect(try Rig(capacity: 40).sink.maxHeldMessages == 10)
        #expect(try Rig(capacity: 2).sink.maxHeldMessages == 1)
    }

    @Test("large payloads are written once 256 KB are held, whatever the count")
    func byteBound() throws {
        let rig = try Rig()
        let big = String(repeating: "x", count: 100 << 10)
        for _ in 0..<3 { rig.receive(big) }
        #expect(try rig.walPayloads().count == 3)
    }

    @Test("the pipeline thread writes what is held once it is 50 ms old, only when the queue has room for all of it, and never waits")
    func ageBound() throws {
        let rig = try Rig(capacity: 8)
        #expect(rig.sink.maxHeldMessages == 2)
        for i in 0..<7 { rig.receive("q1-\(i)", qos: 1, packetID: Int32(i + 1)) }
        rig.receive("held")
        let now = MonotonicClock.microseconds()
        rig.sink.writeHeldIfStale(now: now)
        #expect(try rig.walPayloads().count == 7, "young: not written")
        rig.sink.writeHeldIfStale(now: now + 60_000)
        #expect(try rig.walPayloads().count == 8, "old, and the queue has room for one")
        #expect(rig.queue.depth == 8)
        rig.receive("second")
        rig.sink.writeHeldIfStale(now: MonotonicClock.microseconds() + 60_000)
        #expect(try rig.walPayloads().count == 8, "the queue is full: it stays held, nothing waits")
        _ = rig.queue.popBatch(max: 4, timeout: 0)
        rig.sink.writeHeldIfStale(now: MonotonicClock.microseconds() + 60_000)
        #expect(try rig.walPayloads().last == "second")
        #expect(rig.drainQueue().map { String(decoding: $0.payload, as: UTF8.self) } == ["q1-4", "q1-5", "q1-6", "held", "second"])
    }

    @Test("the wire size of a 3.1.1 PUBLISH, around each step of the remaining length's encoding")
    func publishPacketSizes() {
        // 1 type byte + the remaining length (1–4 bytes) + topic length (2) + topic + [packet id] + payload.
        #expect(MQTTSubscriber.publishPacketBytes(topic: 3, payload: 5, qos: 0) == 1 + 1 + 2 + 3 + 5)
        #expect(MQTTSubscriber.publishPacketBytes(topic: 3, payload: 5, qos: 1) == 1 + 1 + 2 + 3 + 2 + 5)
        #expect(MQTTSubscriber.publishPacketBytes(topic: 25, payload: 100, qos: 0) == 1 + 1 + 127)
        #expect(MQTTSubscriber.publishPacketBytes(topic: 26, payload: 100, qos: 0) == 1 + 2 + 128)
        #expect(MQTTSubscriber.publishPacketBytes(topic: 10, payload: 16_371, qos: 0) == 1 + 2 + 16_383)
        #expect(MQTTSubscriber.publishPacketBytes(topic: 10, payload: 16_372, qos: 0) == 1 + 3 + 16_384)
        #expect(MQTTSubscriber.publishPacketBytes(topic: 10, payload: 2_097_140, qos: 0) == 1 + 4 + 2_097_152)
    }

    /// Records what the subscriber tells a coalescing sink, in order.
    final class DrainRecorder: MQTTMessageSink {
        let events = Guarded<[String]>([])
        var coalescesQoS0: Bool { true }
        func receive(topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer, qos: UInt8, retained: Bool, packetID: Int32, connection: Int) {
            let text = "q\(qos):" + String(decoding: payload, as: UTF8.self)
            events.withLock { $0.append(text) }
        }
        func inputDrained() { events.withLock { $0.append("drained") } }
        var all: [String] { events.withLock { $0 } }
    }

    @Test("the subscriber tells a coalescing sink when a burst ends, under MQTT 3.1.1 and 5, when the connection is lost, and at stop", .timeLimit(.minutes(2)),
          arguments: [MQTTProtocol.v311, .v5])
    func subscriberSignalsDrains(_ version: MQTTProtocol) throws {
        let broker = try MosquittoBroker()
        try broker.start()
        var brokerRunning = true
        defer { if brokerRunning { broker.stop() } }
        let recorder = DrainRecorder()
        let url = try BrokerURL(parsing: broker.url)
        let options = SubscriberOptions(
            connection: BrokerConnection(broker: url, mqttProtocol: version),
            clientID: "drains-\(version)-\(getpid())", cleanSession: true, qos: 0,
            keepaliveSeconds: 60, subscriptions: ["drain/#"], reconnectMinSeconds: 1, reconnectMaxSeconds: 1
        )
        let subscriber = MQTTSubscriber(options: options, sink: recorder, logger: quietLogger)
        try subscriber.start()
        guard eventually(timeout: 10, { subscriber.isConnected }) else { throw TestFailure("the subscriber did not connect to \(broker.url)") }
        Thread.sleep(forTimeInterval: 0.3)
        let publisher = try MQTTPublisher(broker: url, clientID: "drains-pub-\(version)-\(getpid())", logger: quietLogger)
        try publisher.connect(timeout: .seconds(10))
        try publisher.publish(topic: "drain/a", payload: "one", qos: 0, retain: false)
        try publisher.flush(timeout: .seconds(10))
        #expect(eventually(timeout: 5, every: 0.01) { recorder.all.last == "drained" }, "after a lone QoS 0 message: \(recorder.all)")
        #expect(recorder.all.first == "q0:one")
        try publisher.publish(topic: "drain/a", payload: "two", qos: 1, retain: false)
        try publisher.flush(timeout: .seconds(10))
        #expect(eventually(timeout: 5, every: 0.01) { recorder.all.contains("q0:two") }, "granted QoS 0: \(recorder.all)")
        publisher.disconnect()
        let before = recorder.all.count
        broker.stop()
        brokerRunning = false
        #expect(eventually(timeout: 5, every: 0.01) { recorder.all.count > before && recorder.all.last == "drained" }, "at the lost connection: \(recorder.all)")
        let atLoss = recorder.all.count
        subscriber.stop()
        #expect(recorder.all.count > atLoss && recorder.all.last == "drained", "at stop: \(recorder.all)")
    }

    /// The real chain (broker → libmosquitto → subscriber → sink), with no pipeline thread and
    /// so no age bound: every burst must reach the queue because the subscriber saw its end.
    /// Payload sizes cross the remaining length's 1-, 2- and 3-byte encodings, so a wrong
    /// count-down of the socket's unread bytes leaves a burst's tail held and fails the test.
    @Test("through a real broker, every burst of QoS 0 messages is in the WAL and the queue as soon as it ends", .timeLimit(.minutes(2)))
    func realBrokerBursts() throws {
        let broker = try MosquittoBroker()
        try broker.start()
        defer { broker.stop() }
        let rig = try Rig()
        let options = SubscriberOptions(
            connection: BrokerConnection(broker: try BrokerURL(parsing: broker.url)),
            clientID: "coalesce-\(getpid())", cleanSession: true, qos: 0,
            keepaliveSeconds: 60, subscriptions: ["burst/#"], reconnectMinSeconds: 1, reconnectMaxSeconds: 1
        )
        let subscriber = MQTTSubscriber(options: options, sink: rig.sink, logger: quietLogger)
        try subscriber.start()
        defer { subscriber.stop() }
        guard eventually(timeout: 10, { subscriber.isConnected }) else { throw TestFailure("the subscriber did not connect to \(broker.url)") }
        Thread.sleep(forTimeInterval: 0.3) // the SUBACK
        let publisher = try MQTTPublisher(broker: try BrokerURL(parsing: broker.url), clientID: "coalesce-pub-\(getpid())", logger: quietLogger)
        try publisher.connect(timeout: .seconds(10))
        defer { publisher.disconnect() }
        var rng = SplitMix64(seed: 13)
        var sent: [String] = []
        var queued: [String] = []
        for burst in 0..<12 {
            let count = [1, 2, 50, 400, 1000][burst % 5]
            for k in 0..<count {
                let pad = [0, 3, 140, 700, 17_000][Int(rng.next() % 5)]
                let payload = "\(burst).\(k)" + String(repeating: "p", count: pad)
                let topic = "burst/" + String(repeating: "t", count: Int(rng.next() % 40)) + "/\(k % 7)"
                try publisher.publish(topic: topic, payload: payload, qos: 0, retain: false)
                sent.append(payload)
            }
            try publisher.flush(timeout: .seconds(10))
            let arrived = eventually(timeout: 5, every: 0.01) {
                queued += rig.drainQueue().map { String(decoding: $0.payload, as: UTF8.self) }
                return queued.count >= sent.count
            }
            #expect(arrived, "burst \(burst) (\(count) messages): \(sent.count - queued.count) still held after 5 s")
            if !arrived { break }
        }
        #expect(queued == sent, "order or content differs")
        #expect(try rig.walPayloads() == sent)
    }
}

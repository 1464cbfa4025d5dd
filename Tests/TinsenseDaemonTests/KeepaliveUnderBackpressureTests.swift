import Foundation
import Logging
import Testing
import TinsenseCore
import TinsenseMQTT
import TinsenseStorage
import TinsenseSystem
import TinsenseTestSupport
@testable import TinsenseDaemon

/// Keepalive under backpressure against a real mosquitto (docs/RELIABILITY.md, "A pipeline
/// behind the network thread"): libmosquitto 2.0.11 holds its callback mutex for the whole
/// `on_message`, so while `IngestSink` waits for room in a full hand-off queue nothing else
/// goes out — no PUBACK, no PINGREQ — and the broker drops the connection after
/// 1.5 × keepalive. The sink therefore waits at most keepalive/2 per message and then takes
/// it (already in the WAL) into the queue's reserve.
///
/// Both tests run the real chain: broker → `MQTTSubscriber` → `IngestSink` → WAL → queue,
/// with a consumer that does not take anything for longer than 1.5 × keepalive.
@Suite("keepalive while the pipeline is behind (real broker)")
struct KeepaliveUnderBackpressureTests {
    /// libmosquitto refuses a keepalive under 5 s.
    static let keepalive = 5
    /// The queue's bound; its reserve is then 16 (the minimum).
    static let capacity = 16
    /// Fills the queue, then `extra` more: those arrive while nothing is consumed.
    static let extra = 8
    /// The consumer takes nothing for this long: 1.6 × the broker's 1.5 × keepalive limit.
    static let stall: TimeInterval = 12

    struct Outcome {
        var connects: Int
        var payloads: [String]
        var brokerLog: String
    }

    /// Publishes `capacity + extra` numbered QoS 1 messages to a persistent-session subscriber
    /// whose pipeline stalls for `stall` seconds, then drains until every number has arrived.
    static func run(holdLimit: Double, label: String) throws -> Outcome {
        let broker = try MosquittoBroker()
        try broker.start()
        defer { broker.stop() }
        let dir = TemporaryDirectory("keepalive-\(label)")
        let wal = try WriteAheadLog(directory: dir.path, logger: quietLogger)
        let queue = MessageQueue(capacity: capacity, maxBytes: 1 << 30)
        #expect(queue.reserve == 16)
        let sink = IngestSink(
            wal: wal, queue: queue, maxPayloadBytes: 1 << 20, keptPrefixBytes: 1024,
            logger: quietLogger, clock: WallClock.now, holdLimit: holdLimit
        )
        let topic = "keepalive/\(label)"
        let options = SubscriberOptions(
            connection: BrokerConnection(broker: try BrokerURL(parsing: broker.url)),
            clientID: "keepalive-\(label)-\(getpid())", cleanSession: false, qos: 1,
            keepaliveSeconds: keepalive, subscriptions: [topic], reconnectMinSeconds: 1, reconnectMaxSeconds: 1
        )
        #expect(options.longestHold == 2.5)
        let subscriber = MQTTSubscriber(options: options, sink: sink, logger: quietLogger)
        try subscriber.start()
        defer { subscriber.stop(force: true) }
        guard eventually(timeout: 10, { subscriber.isConnected }) else {
            throw TestFailure("the subscriber did not connect to \(broker.url)")
        }

        let publisher = try MQTTPublisher(connection: BrokerConnection(broker: try BrokerURL(parsing: broker.url)),
                                          clientID: "keepalive-pub-\(label)-\(getpid())", logger: quietLogger)
        try publisher.connect(timeout: .seconds(10))
        let total = capacity + extra
        for k in 0..<total { try publisher.publish(topic: topic, payload: "\(k)", qos: 1, retain: false) }
        try publisher.flush(timeout: .seconds(10))
        publisher.disconnect()

        // The pipeline is stuck (a slow disk, a long seal): nothing is taken for `stall` s.
        Thread.sleep(forTimeInterval: stall)
        var payloads: [String] = []
        let deadline = Date(timeIntervalSinceNow: 60)
        while Set(payloads).count < total, Date() < deadline {
            for message in queue.popBatch(max: 64, timeout: 0.2) ?? [] {
                payloads.append(String(decoding: message.record.payload, as: UTF8.self))
            }
        }
        // Anything still coming (a redelivery) arrives within a moment.
        Thread.sleep(forTimeInterval: 0.5)
        for message in queue.popBatch(max: 64, timeout: 0.2) ?? [] {
            payloads.append(String(decoding: message.record.payload, as: UTF8.self))
        }
        return Outcome(connects: subscriber.connects, payloads: payloads, brokerLog: broker.log)
    }

    @Test("with the reserve, a pipeline stalled for 1.6 × the broker's limit keeps the connection: one connect, every message once")
    func reserveKeepsTheConnection() throws {
        let outcome = try Self.run(holdLimit: Double(Self.keepalive) / 2, label: "reserve")
        let expected = (0..<(Self.capacity + Self.extra)).map { "\($0)" }
        #expect(outcome.connects == 1, "the broker dropped the connection: \(outcome.brokerLog.suffix(600))")
        #expect(outcome.payloads.sorted() == expected.sorted(), "lost or duplicated: \(outcome.payloads)")
        #expect(!outcome.brokerLog.contains("exceeded timeout"))
    }

    /// The control: the same stall with no reserve (the sink waits for the queue as long as
    /// it takes, as before the fix) loses the connection — so the test above measures the fix.
    @Test("without the reserve the same stall costs the connection (the broker times the client out), and the redelivery still loses nothing")
    func withoutReserveTheBrokerDropsTheClient() throws {
        let outcome = try Self.run(holdLimit: .infinity, label: "noreserve")
        let expected = Set((0..<(Self.capacity + Self.extra)).map { "\($0)" })
        #expect(outcome.connects >= 2, "expected a reconnect after the broker's keepalive timeout")
        #expect(outcome.brokerLog.contains("exceeded timeout"), "\(outcome.brokerLog.suffix(600))")
        #expect(Set(outcome.payloads) == expected)
    }
}

@Suite("watchdog hand-off limit")
struct WatchdogHandOffLimitTests {
    @Test("a hand-off may last the sink's hold (keepalive / 2) beyond the check interval before the watchdog calls it stuck; without a hold, the check interval alone")
    func handOffLimitIncludesTheHold() {
        // WatchdogSec=30s → checks every 15 s; default keepalive 30 s → hold 15 s.
        #expect(HealthWatchdog.handOffLimit(check: 15_000_000, hold: 15) == 30_000_000)
        #expect(HealthWatchdog.handOffLimit(check: 15_000_000, hold: .infinity) == 15_000_000)
        #expect(HealthWatchdog.handOffLimit(check: 15_000_000, hold: 0) == 15_000_000)
        #expect(HealthWatchdog.handOffLimit(check: 5_000_000, hold: 2.5) == 7_500_000)
        // A hostile keepalive (the config bounds it, but the arithmetic must not trap anyway).
        #expect(HealthWatchdog.handOffLimit(check: 5_000_000, hold: 1e300) == 5_000_000 + 86_400_000_000)
    }
}

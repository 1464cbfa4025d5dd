import Foundation
import Logging
import Synchronization
import Testing
import TinsenseMQTT
import TinsenseTestSupport
import TinsenseSystem

/// The MQTT 5 subscriber's session (docs/SCALING.md, "Sessions under MQTT 5"): every CONNECT,
/// the first and each reconnect, carries the Session Expiry Interval, so the broker keeps the
/// subscriptions and the QoS 1 backlog while the daemon is away, whichever connection it lost.
@Suite("MQTT 5 subscriber sessions", .serialized)
struct MQTT5SessionTests {
    /// Topics as received, to check that shared subscriptions deliver the plain topic.
    final class Topics: MQTTMessageSink {
        let seen = Guarded<[String]>([])
        func receive(topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer, qos: UInt8, retained: Bool, packetID: Int32, connection: Int) {
            let t = String(decoding: topic, as: UTF8.self)
            seen.withLock { $0.append(t) }
        }
        var count: Int { seen.withLock { $0.count } }
    }

    static func subscriber(_ broker: MosquittoBroker, id: String, filter: String = "s5/#", sink: Topics) throws -> MQTTSubscriber {
        let options = SubscriberOptions(
            connection: BrokerConnection(broker: try BrokerURL(parsing: broker.url), mqttProtocol: .v5),
            clientID: id, cleanSession: false, qos: 1, subscriptions: [filter],
            reconnectMinSeconds: 1, reconnectMaxSeconds: 2, sessionExpirySeconds: 300
        )
        return MQTTSubscriber(options: options, sink: sink, logger: Logger(label: "test-mqtt5"))
    }

    static func publish(_ broker: MosquittoBroker, _ count: Int, topic: String) throws {
        let p = try MQTTPublisher(connection: BrokerConnection(broker: try BrokerURL(parsing: broker.url), mqttProtocol: .v5),
                                  clientID: "mqtt5-pub-\(getpid())", logger: Logger(label: "test-publisher"))
        try p.connect(timeout: .seconds(10))
        for k in 0..<count { try p.publish(topic: topic, payload: "\(k)", qos: 1, retain: false) }
        try p.flush(timeout: .seconds(10))
        p.disconnect()
    }

    @Test("after the broker restarts, the reconnected session still outlives its connection: what was published while the subscriber was gone arrives when it returns")
    func sessionSurvivesReconnect() throws {
        let broker = try MosquittoBroker()
        try broker.start()
        let id = "mqtt5-session-\(getpid())"
        let first = Topics()
        let subscriber = try MQTT5SessionTests.subscriber(broker, id: id, sink: first)
        try subscriber.start()
        #expect(eventually(timeout: 10) { subscriber.isConnected })
        // mosquitto saves the session on SIGTERM; the subscriber's supervisor reconnects.
        broker.stop()
        try broker.start()
        #expect(eventually(timeout: 15) { subscriber.connects == 2 && subscriber.isConnected }, "connects: \(subscriber.connects)")
        Thread.sleep(forTimeInterval: 0.3)
        // Gone without a DISCONNECT, as after a crash: only the session expiry keeps the session.
        subscriber.stopAbruptly()
        try MQTT5SessionTests.publish(broker, 20, topic: "s5/kept")
        let second = Topics()
        let again = try MQTT5SessionTests.subscriber(broker, id: id, sink: second)
        try again.start()
        defer { again.stop() }
        #expect(eventually(timeout: 10) { second.count >= 20 }, "received \(second.count) of 20 after the return")
        #expect(second.seen.withLock { $0 }.allSatisfy { $0 == "s5/kept" })
    }

    @Test("a $share/GROUP/FILTER subscription delivers the plain topic: no $share prefix reaches the sink")
    func sharedTopicIsPlain() throws {
        let broker = try MosquittoBroker()
        try broker.start()
        let sink = Topics()
        let subscriber = try MQTT5SessionTests.subscriber(broker, id: "mqtt5-share-\(getpid())", filter: "$share/g/s5/#", sink: sink)
        try subscriber.start()
        defer { subscriber.stop() }
        #expect(eventually(timeout: 10) { subscriber.isConnected })
        Thread.sleep(forTimeInterval: 0.3)
        try MQTT5SessionTests.publish(broker, 3, topic: "s5/plant/feed")
        #expect(eventually(timeout: 10) { sink.count >= 3 })
        #expect(sink.seen.withLock { $0 } == ["s5/plant/feed", "s5/plant/feed", "s5/plant/feed"])
    }
}

import Foundation
import Logging
import Synchronization
import TinsenseMQTT
import TinsenseReplay
import TinsenseTestSupport
import TinsenseSystem

/// Everything a subscriber received, with the monotonic arrival time of each message.
final class MessageCollector: MQTTMessageSink {
    struct Message: Sendable {
        var topic: String
        var payload: [UInt8]
        var retained: Bool
        var arrivalNs: Int64
    }

    let messages = Guarded<[Message]>([])

    func receive(topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer, qos: UInt8, retained: Bool, packetID: Int32, connection: Int) {
        let m = Message(topic: String(decoding: topic, as: UTF8.self), payload: Array(payload), retained: retained, arrivalNs: ReplayPacer.monotonicNs())
        messages.withLock { $0.append(m) }
    }

    var count: Int { messages.withLock { $0.count } }
    var all: [Message] { messages.withLock { $0 } }

    /// A started subscriber on `filter` whose SUBACK has had time to arrive; `connection` for a
    /// broker with TLS or a password.
    static func subscribe(_ broker: MosquittoBroker, _ filter: String, id: String, connection: BrokerConnection? = nil) throws -> (MQTTSubscriber, MessageCollector) {
        let collector = MessageCollector()
        let s = MQTTSubscriber(options: SubscriberOptions(connection: try connection ?? BrokerConnection(broker: BrokerURL(parsing: broker.url)), clientID: id, cleanSession: true, subscriptions: [filter]),
                               sink: collector, logger: quietLogger)
        try s.start()
        _ = eventually(timeout: 10) { s.isConnected }
        Thread.sleep(forTimeInterval: 0.3)
        return (s, collector)
    }
}

import Foundation
import Logging
import Testing
import TinsenseMQTT
import TinsenseTestSupport

/// A publisher whose connect fails frees everything it started (docs/RELIABILITY.md,
/// "Sanitizers"): before, it kept itself retained with libmosquitto's network thread still
/// reconnecting, and the alert republisher makes a new publisher on every retry.
@Suite("publisher clean-up after a failed connect")
struct PublisherCleanupTests {
    @Test("a connect that times out against a port where nothing listens throws, and the publisher is freed (its handle and network thread with it)")
    func failedConnectFreesThePublisher() throws {
        weak var released: MQTTPublisher?
        do {
            let publisher = try MQTTPublisher(broker: try BrokerURL(parsing: "mqtt://127.0.0.1:\(FreePort.next())"),
                                              clientID: "cleanup-\(getpid())", logger: quietLogger)
            released = publisher
            #expect(throws: MQTTError.self) { try publisher.connect(timeout: .milliseconds(1500)) }
        }
        #expect(released == nil, "the failed publisher is still alive: its handle, socket and network thread leak")
    }

    @Test("a publisher that connected and disconnected is freed too")
    func disconnectedPublisherIsFreed() throws {
        let broker = try MosquittoBroker()
        try broker.start()
        defer { broker.stop() }
        weak var released: MQTTPublisher?
        do {
            let publisher = try MQTTPublisher(broker: try BrokerURL(parsing: broker.url), clientID: "cleanup-ok-\(getpid())", logger: quietLogger)
            released = publisher
            try publisher.connect(timeout: .seconds(10))
            try publisher.publish(topic: "cleanup/x", payload: "1", qos: 1, retain: false)
            try publisher.flush(timeout: .seconds(10))
            publisher.disconnect()
        }
        #expect(released == nil)
    }
}

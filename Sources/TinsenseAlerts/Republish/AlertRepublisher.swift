import Foundation
import Logging
import TinsenseCore

/// Republishes alert transitions to MQTT at QoS 1 on its own thread and connection.
///
/// The alert log file is the record; MQTT is a copy for dashboards. So the pipeline never
/// waits for the broker: transitions go into a bounded queue, and if the broker is away long
/// enough to fill it, the oldest copies are dropped with a count in the log.
///
/// The connection comes from `connect`, called on the republisher's thread whenever it has
/// none (at the first transition, and after a failure); the daemon passes one that opens an
/// MQTT connection of its own.
package final class AlertRepublisher: @unchecked Sendable {
    // @unchecked: `pending`, `closed` and `dropped` are guarded by `condition`.
    private let condition = NSCondition()
    private var pending: [(topic: String, payload: String)] = []
    private var closed = false
    private var dropped = 0
    let capacity = 10_000
    package let template: AlertTopicTemplate
    let connect: @Sendable () throws -> any AlertPublishing
    let logger: Logger
    private var thread: Thread?

    /// - Parameters:
    ///   - template: the topic each transition is published under.
    ///   - connect: opens a connected publisher; it may throw, the republisher retries.
    package init(template: AlertTopicTemplate, logger: Logger, connect: @escaping @Sendable () throws -> any AlertPublishing) {
        self.template = template
        self.connect = connect
        self.logger = logger
    }

    package func start() {
        let t = Thread { [self] in loop() }
        t.name = "tinsense-alert-publisher"
        thread = t
        t.start()
    }

    package func enqueue(_ transition: AlertTransition) {
        condition.lock()
        if pending.count >= capacity {
            pending.removeFirst()
            dropped += 1
        }
        pending.append((template.expand(transition), transition.jsonLine))
        condition.signal()
        condition.unlock()
    }

    /// Stops after sending what is queued (bounded by a short flush timeout).
    package func stop() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    private func loop() {
        var publisher: (any AlertPublishing)?
        while true {
            condition.lock()
            while pending.isEmpty && !closed { condition.wait() }
            if pending.isEmpty && closed {
                condition.unlock()
                break
            }
            let batch = pending
            pending.removeAll()
            if dropped > 0 {
                logger.warning("alert republish queue overflowed; MQTT copies dropped (the alert log has them)", metadata: ["dropped": "\(dropped)"])
                dropped = 0
            }
            let stopping = closed
            condition.unlock()
            do {
                if publisher == nil { publisher = try connect() }
                for item in batch {
                    try publisher!.publish(topic: item.topic, payload: item.payload, qos: 1, retain: false)
                }
                if stopping { try publisher?.flush(timeout: .seconds(5)) }
            } catch {
                logger.warning("cannot republish alerts to MQTT; will retry", metadata: ["error": "\(error)"])
                publisher?.disconnect()
                publisher = nil
                // Put them back (newest kept when over capacity) and wait before retrying.
                condition.lock()
                pending = Array((batch + pending).suffix(capacity))
                let giveUp = closed
                condition.unlock()
                if giveUp { break }
                Thread.sleep(forTimeInterval: 2)
            }
        }
        publisher?.disconnect()
    }
}

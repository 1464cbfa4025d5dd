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
    // @unchecked: `pending`, `closed`, `finished` and `dropped` are guarded by `condition`.
    private let condition = NSCondition()
    private var pending: [(topic: String, payload: String)] = []
    private var closed = false
    private var finished = false
    private var started = false
    private var dropped = 0
    let capacity = 10_000
    package let template: AlertTopicTemplate
    let connect: @Sendable () throws -> any AlertPublishing
    let logger: Logger

    /// - Parameters:
    ///   - template: the topic each transition is published under.
    ///   - connect: opens a connected publisher; it may throw, the republisher retries.
    package init(template: AlertTopicTemplate, logger: Logger, connect: @escaping @Sendable () throws -> any AlertPublishing) {
        self.template = template
        self.connect = connect
        self.logger = logger
    }

    /// Starts the republisher's thread. The thread is not kept in a property: it holds the
    /// republisher while it runs, and a stored Thread made a cycle (republisher → Thread →
    /// closure → republisher) that LeakSanitizer reported at every daemon exit.
    package func start() {
        condition.lock()
        started = true
        condition.unlock()
        let t = Thread { [self] in
            loop()
            condition.lock()
            finished = true
            condition.broadcast()
            condition.unlock()
        }
        t.name = "tinsense-alert-publisher"
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

    /// Stops after sending what is queued, and waits up to `timeout` for that (the thread's
    /// own flush waits 5 s at most for the broker's acknowledgements). Returns false when the
    /// thread was still busy at the deadline (a connect or publish that hangs): the daemon's
    /// stop stays bounded, and the alert log holds every transition anyway.
    @discardableResult
    package func stop(timeout: TimeInterval = 7) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        closed = true
        condition.broadcast()
        guard started else { return true }
        let deadline = Date(timeIntervalSinceNow: timeout)
        while !finished {
            if !condition.wait(until: deadline) { return finished }
        }
        return true
    }

    private func loop() {
        // Kept only once a publish on it succeeded (a failure drops it), so a publisher here at
        // the end means copies whose PUBACKs the final flush waits for, whether the last batch
        // was taken before stop or after it.
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
            condition.unlock()
            do {
                if publisher == nil { publisher = try connect() }
                for item in batch {
                    try publisher!.publish(topic: item.topic, payload: item.payload, qos: 1, retain: false)
                }
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
        if let publisher {
            do { try publisher.flush(timeout: .seconds(5)) } catch {
                logger.warning("alert copies published to MQTT may be unacknowledged at stop (the alert log has them)", metadata: ["error": "\(error)"])
            }
        }
        publisher?.disconnect()
    }
}

import Foundation
import TinsenseCore
import TinsenseMQTT
import TinsenseTestSupport

/// A steady QoS 1 load on a background thread, the Swift twin of scripts/reliability/loadgen.c:
/// message k goes to sensor `test/line<s%5>/s<s>` (s = k % sensors) at about `rate` per second,
/// and its value `<k>.<ddd>` is unique, so the stored set can be checked exactly even when
/// the reading carries no timestamp.
final class SteadyLoad: @unchecked Sendable {
    enum Shape { case timestamped, bare }

    let sensors: Int
    let count: Int
    /// The index of the first message: a second load on the same plant starts where the first
    /// ended, so no two messages of the two loads carry the same value.
    let firstIndex: Int
    let rate: Double
    let shape: Shape
    let firstSourceTime = TestClock.anHourAgo
    private let publisher: MQTTPublisher
    private let done = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var failure: (any Error)?
    private var sent = 0

    init(plant: TestPlant, sensors: Int = 200, count: Int, rate: Double, shape: Shape = .timestamped, firstIndex: Int = 0, clientSuffix: String = "load") throws {
        self.sensors = sensors
        self.count = count
        self.firstIndex = firstIndex
        self.rate = rate
        self.shape = shape
        publisher = try plant.publisher(clientSuffix)
    }

    func value(_ k: Int) -> String {
        var rng = SplitMix64(seed: 7 ^ UInt64(k))
        let frac = rng.next() % 1000
        return "\(k)." + String(repeating: "0", count: frac < 10 ? 2 : (frac < 100 ? 1 : 0)) + "\(frac)"
    }

    func sensor(_ k: Int) -> String { "line\(k % sensors % 5)/s\(k % sensors)" }

    func sourceTime(_ k: Int) -> Timestamp { firstSourceTime.adding(milliseconds: Int64(k / sensors) * 1000) }

    /// What must be stored: (sensor, source time, value); the source time is "" for bare
    /// readings (the daemon stamps them with the receive time).
    var expected: [StoredRow] {
        (firstIndex..<(firstIndex + count)).map { StoredRow(sensor: sensor($0), sourceTime: shape == .bare ? "" : sourceTime($0).description, value: value($0)) }
    }

    /// How many messages have been handed to the publisher so far.
    var published: Int { lock.withLock { sent } }

    func start() {
        Thread.detachNewThread { [self] in
            let t0 = Date()
            do {
                for k in firstIndex..<(firstIndex + count) {
                    let due = t0.addingTimeInterval(Double(k - firstIndex) / rate)
                    let wait = due.timeIntervalSinceNow
                    if wait > 0 { Thread.sleep(forTimeInterval: wait) }
                    let payload = shape == .bare ? value(k) : #"{"ts":"\#(sourceTime(k))","value":\#(value(k))}"#
                    try publishRetrying(topic: "test/" + sensor(k), payload: payload)
                    lock.withLock { sent += 1 }
                }
                try publisher.flush(timeout: .seconds(120))
            } catch {
                lock.withLock { failure = error }
            }
            publisher.disconnect()
            done.signal()
        }
    }

    /// While the broker is down a publish fails; it is retried (up to 60 s) until it is taken.
    /// A retry that libmosquitto had queued anyway is a duplicate the daemon refuses.
    private func publishRetrying(topic: String, payload: String) throws {
        let deadline = Date(timeIntervalSinceNow: 60)
        while true {
            do {
                return try publisher.publish(topic: topic, payload: payload, qos: 1, retain: false)
            } catch where Date() < deadline {
                Thread.sleep(forTimeInterval: 0.05)
            }
        }
    }

    /// Waits until every message was acknowledged by the broker; rethrows a publish failure.
    func finish() throws {
        done.wait()
        if let failure = lock.withLock({ failure }) { throw failure }
    }
}

/// Stored rows with the source time blanked, to compare bare readings by (sensor, value).
func withoutTimes(_ rows: [StoredRow]) -> [StoredRow] {
    rows.map { StoredRow(sensor: $0.sensor, sourceTime: "", value: $0.value) }
}

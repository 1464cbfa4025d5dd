import Foundation
import Synchronization
import TinsenseMQTT
import TinsenseSimulator

/// The plant's messages to an MQTT broker, at QoS 1, not retained.
struct MQTTPlantPublisher: PlantMessagePublisher {
    let publisher: MQTTPublisher

    func publish(_ message: SimulatedMessage) throws {
        try publisher.publish(topic: message.topic, payload: message.payload, qos: 1, retain: false)
    }
}

/// Paces `tinsense simulate` by the monotonic clock, in 50 ms ticks.
struct WallPacingClock: PacingClock {
    private let clock = ContinuousClock()
    private let start: ContinuousClock.Instant

    init() { start = clock.now }

    func elapsedMilliseconds() -> Double {
        let elapsed = clock.now - start
        return Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
    }

    func pause() async {
        try? await Task.sleep(for: .milliseconds(50))
    }
}

/// Set on SIGINT/SIGTERM so an interrupted run still flushes and reports its count.
final class StopRequest: Sendable {
    private let flag = Atomic<Bool>(false)

    var isRequested: Bool { flag.load(ordering: .relaxed) }

    func request() { flag.store(true, ordering: .relaxed) }
}

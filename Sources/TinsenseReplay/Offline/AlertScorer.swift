import TinsenseAlerts
import TinsenseConfig
import TinsenseCore
import TinsenseDetect

/// detect → alert for an offline run, the same steps as the daemon's `DetectionStage`: one
/// streaming `SensorDetector` per sensor, built from the config's `[[sensor]]` entry, and one
/// `AlertEngine`. Bad and stale readings are not scored but still feed value inhibitions.
/// Times are the recorded ones, handed in; this type reads no clock.
package struct AlertScorer {
    /// Per `[[sensor]]` entry: its detector set (nil: not scored) and the rules its scores
    /// feed, kept apart from the entries so that a reading copies neither.
    private let specs: [DetectorSpec?]
    /// `specs[i] != nil`, read per reading without copying the optional spec.
    private let scorable: [Bool]
    private let rules: [[String]]
    package private(set) var engine: AlertEngine
    private var detectors = SensorDetectorTable()
    /// Where transitions go, in the order they happen.
    let emit: (AlertTransition) -> Void
    package private(set) var scored = 0

    package init(config: Config, inhibit: Bool = true, emit: @escaping (AlertTransition) -> Void) {
        specs = config.sensors.map(\.detection.spec)
        scorable = specs.map { $0 != nil }
        rules = config.sensors.map(\.detection.rules)
        engine = AlertEngine(rules: config.detection.rules, inhibitRules: inhibit ? config.detection.inhibits : [],
                             staleSeverity: config.alerts.staleSeverity)
        self.emit = emit
    }

    /// `slot` is the validator's slot of the reading's sensor (`Verdict.accept`).
    package mutating func observe(_ reading: Reading, specIndex: Int, slot: Int, topic: String?) {
        let x = reading.value.doubleValue
        guard specIndex < scorable.count, scorable[specIndex], reading.quality == .good || reading.quality == .uncertain, x.isFinite else {
            send(engine.observe(sensor: reading.sensor, rule: "", time: reading.sourceTime, score: 0, value: x), topic: topic)
            return
        }
        scored += 1
        let result = detectors.observe(slot: slot, sensor: reading.sensor, time: reading.sourceTime, value: x) { specs[specIndex]!.makeDetector() }
        for rule in rules[specIndex] {
            send(engine.observe(sensor: reading.sensor, rule: rule, time: reading.sourceTime, score: result.score, value: x,
                                detector: result.detector.name, reason: result.reason.description), topic: topic)
        }
    }

    package mutating func stale(sensor: String, stale: Bool, lastSeen: Timestamp, now: Timestamp) {
        send(stale ? engine.sensorWentStale(sensor: sensor, time: now, lastSeen: lastSeen) : engine.sensorCameBack(sensor: sensor, time: now), topic: nil)
    }

    package mutating func tick(now: Timestamp) {
        send(engine.advance(to: now), topic: nil)
    }

    /// `mutating` though it changes nothing: a non-mutating method called from the mutating
    /// `observe` was handed a copy of the whole scorer (every field retained and released)
    /// for each reading, ≈ 630 instructions under callgrind.
    private mutating func send(_ transitions: [AlertTransition], topic: String?) {
        for var t in transitions {
            if t.topic == nil { t.topic = topic }
            emit(t)
        }
    }
}

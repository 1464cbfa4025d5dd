import TinsenseAlerts
import TinsenseConfig
import TinsenseCore
import TinsenseDetect
import TinsenseValidate

/// detect → alert, after a reading is stored: one streaming `SensorDetector` per sensor and
/// one `AlertEngine` for the daemon, both owned by the pipeline thread.
///
/// Bad and stale readings are not scored (they would teach the detector garbage); they still
/// feed value-based inhibitions.
package final class DetectionStage {
    /// The `[[sensor]]` entries; the validator's `specIndex` indexes them (its catalog is
    /// built from `Config.sensorSpecs`, in the same order).
    private(set) var sensors: [Config.SensorEntry] {
        didSet { (specs, scorable, rules) = DetectionStage.scoring(sensors) }
    }
    /// Per entry (same index): its detector set (nil: not scored) and the rules its scores
    /// feed, kept apart from the entries so that a reading copies neither an entry nor a spec
    /// (the copies cost about a tenth of a reading's instructions).
    private var specs: [DetectorSpec?]
    /// `specs[i] != nil`, read per reading without copying the optional spec.
    private var scorable: [Bool]
    private var rules: [[String]]
    // The pipeline thread alone uses this stage, one reading at a time: release builds skip
    // the runtime's exclusivity checks on its two per-reading properties (see `Pipeline`);
    // debug builds, which the tests run, keep them.
    #if DEBUG
    var engine: AlertEngine
    private var detectors = SensorDetectorTable()
    #else
    @exclusivity(unchecked) var engine: AlertEngine
    @exclusivity(unchecked) private var detectors = SensorDetectorTable()
    #endif
    let output: AlertOutput
    /// True while the WAL is replayed at start: transitions already logged are not repeated.
    var replaying = false
    let transitionCounters = AlertTransitionCounters()

    package init(config: Config, output: AlertOutput) {
        sensors = config.sensors
        (specs, scorable, rules) = DetectionStage.scoring(config.sensors)
        engine = AlertEngine(rules: config.detection.rules, inhibitRules: config.detection.inhibits, staleSeverity: config.alerts.staleSeverity)
        self.output = output
    }

    /// `slot` is the validator's slot of the reading's sensor (`Verdict.accept`).
    package func observe(_ reading: Reading, specIndex: Int, slot: Int, topic: String) {
        let x = reading.value.doubleValue
        guard specIndex < scorable.count, scorable[specIndex], reading.quality == .good || reading.quality == .uncertain, x.isFinite else {
            // Not scored, but an inhibit rule may watch this sensor's value.
            emit(engine.observe(sensor: reading.sensor, rule: "", time: reading.sourceTime, score: 0, value: x), topic: topic)
            return
        }
        let result = detectors.observe(slot: slot, sensor: reading.sensor, time: reading.sourceTime, value: x) { specs[specIndex]!.makeDetector() }
        for rule in rules[specIndex] {
            emit(engine.observe(sensor: reading.sensor, rule: rule, time: reading.sourceTime, score: result.score, value: x,
                                detector: result.detector.name, reason: result.reason.description), topic: topic)
        }
    }

    private static func scoring(_ sensors: [Config.SensorEntry]) -> ([DetectorSpec?], [Bool], [[String]]) {
        (sensors.map(\.detection.spec), sensors.map { $0.detection.spec != nil }, sensors.map(\.detection.rules))
    }

    func stale(_ t: Validator.StaleTransition, now: Timestamp) {
        let transitions = t.stale
            ? engine.sensorWentStale(sensor: t.sensor, time: now, lastSeen: t.lastReceive)
            : engine.sensorCameBack(sensor: t.sensor, time: now)
        emit(transitions, topic: nil)
    }

    package func tick(now: Timestamp) {
        emit(engine.advance(to: now), topic: nil)
    }

    private func emit(_ transitions: [AlertTransition], topic: String?) {
        for var t in transitions {
            if t.topic == nil { t.topic = topic }
            output.emit(t, replaying: replaying)
            if !replaying { transitionCounters.count(t.kind) }
        }
    }

    /// Takes the sensors and alert rules of a reloaded config (SIGHUP), between two messages.
    ///
    /// A sensor keeps its detector (warm windows, calibration) when its entry — found by topic
    /// pattern — is unchanged in every field; a sensor whose entry changed or went away starts
    /// over (warm-up included), since its old windows were learnt under other settings.
    /// `entryOf` maps each sensor to the index of the entry it resolved to in the old config.
    /// Returns how many detectors were kept and how many start over.
    func reconfigure(to config: Config, entryOf: [String: Int]) -> (kept: Int, reset: Int) {
        var newByPattern: [String: Config.SensorEntry] = [:]
        for entry in config.sensors where newByPattern[entry.spec.topic.text] == nil {
            newByPattern[entry.spec.topic.text] = entry
        }
        let (kept, reset) = detectors.removeAll { id in
            guard let i = entryOf[id], i < sensors.count else { return true }
            return newByPattern[sensors[i].spec.topic.text] != sensors[i]
        }
        sensors = config.sensors
        engine.reconfigure(rules: config.detection.rules, inhibitRules: config.detection.inhibits, staleSeverity: config.alerts.staleSeverity)
        return (kept, reset)
    }

    /// Sensors with a detector (memory is O(window) per sensor).
    package var detectorCount: Int { detectors.count }
}

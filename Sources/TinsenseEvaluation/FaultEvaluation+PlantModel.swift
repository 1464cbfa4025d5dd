import TinsenseCore
import TinsenseSimulator

extension FaultEvaluation {
    /// Streams the plant's messages, an hour at a time, through a `Run`, with the daemon's
    /// stages before detection emulated from the plant's catalog (which a test keeps equal to
    /// config/tinsense.toml): a malformed payload is quarantined, a value outside the
    /// instrument's range is quarantined (not scored), and a sensor silent for longer than
    /// its stale_after raises the deadman's stale alert. Those catch the `malformed`,
    /// `out_of_range` and `dropout` labels; everything else is the detectors'.
    ///
    /// An emulation, not the real `Validator`: its deadman (`checkStale`) reports at the first
    /// tick of the caller's clock after stale_after, not exactly a second after it, and it
    /// would also judge duplicates and clock skew, so swapping it in could move the figures
    /// docs/DETECTION.md publishes.
    package func evaluate(plant: PlantModel, durationMilliseconds: Int64) -> Report {
        var model = plant
        let labels = model.labels.map {
            Label(sensor: $0.sensor, fault: $0.fault.rawValue, start: $0.start.millisecondsSinceEpoch, end: $0.end.millisecondsSinceEpoch)
        }
        var catalog: [String: SimulatedSensor] = [:]
        for sensor in model.sensors { catalog[sensor.id] = sensor }
        var lastReceive: [String: Int64] = [:]
        var run = Run(self, labels: labels)
        var done: Int64 = 0
        while done < durationMilliseconds {
            done = min(durationMilliseconds, done + 3_600_000)
            for message in model.messages(upTo: model.start.adding(milliseconds: done)) {
                let time = message.time.millisecondsSinceEpoch
                guard let sensor = catalog[message.sensor] else { continue }
                guard let value = message.sentValue else {
                    run.caughtBeforeDetection(sensor: message.sensor, fault: FaultKind.malformed.rawValue, time: time)
                    continue
                }
                // The deadman checks once a second: stale just after stale_after of silence.
                let staleAfter = Int64(sensor.staleAfterSeconds) * 1000
                if let last = lastReceive[message.sensor], time - last > staleAfter {
                    run.caughtBeforeDetection(sensor: message.sensor, fault: FaultKind.dropout.rawValue, time: last + staleAfter + 1000)
                }
                lastReceive[message.sensor] = time
                let x = value.doubleValue
                guard sensor.range.contains(x) else {
                    run.caughtBeforeDetection(sensor: message.sensor, fault: FaultKind.outOfRange.rawValue, time: time)
                    continue
                }
                run.observe(sensor: message.sensor, time: time, value: x)
            }
        }
        return run.report()
    }
}

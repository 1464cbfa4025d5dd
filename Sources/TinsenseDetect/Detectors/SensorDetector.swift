import TinsenseCore

/// The detection state of one sensor: its detector set, each with its rolling windows and
/// calibration history. Create one per sensor from a `DetectorSpec`; feed it every reading
/// of good or uncertain quality in source-time order.
///
/// Pure and deterministic: no clock, no I/O; the same readings give the same results, which
/// is what lets `tinsense score` and replays reproduce the daemon's alerts. Memory is O(w)
/// per sensor and grows as the series fills its windows (with the default set a sensor with
/// one reading costs about 5 KB, a warm one 12 KB: docs/PERFORMANCE.md "Memory per sensor");
/// each reading costs O(log w) at most.
///
/// A value type whose state lives in one heap object (copy-on-write, checked once per
/// reading): the daemon's map of sensors to detectors holds 8 bytes per entry, not the
/// state's two kilobytes times the map's spare capacity.
public struct SensorDetector: Sendable {
    private var box: SensorDetectorBox

    public init(spec: DetectorSpec) {
        box = SensorDetectorBox(SensorDetectorState(spec: spec))
    }

    /// Scores one reading and then learns from it.
    ///
    /// - Parameters:
    ///   - time: the reading's source time. A time earlier than the previous reading's is
    ///     treated as equal to it (validation quarantines real out-of-order readings first).
    ///   - value: the reading; a NaN or infinite value scores 0 and is not learned from.
    public mutating func observe(time: Timestamp, value: Double) -> DetectionResult {
        if !isKnownUniquelyReferenced(&box) { box = SensorDetectorBox(box.state.copy()) }
        return box.state.observe(time: time, value: value)
    }
}

/// The heap home of a `SensorDetector`'s state.
final class SensorDetectorBox: @unchecked Sendable {
    // @unchecked: mutated only through a uniquely referenced `SensorDetector` (copy-on-write).
    var state: SensorDetectorState
    init(_ state: SensorDetectorState) { self.state = state }
}

extension Dictionary where Key == String, Value == SensorDetector {
    /// Scores `value` with `sensor`'s detector in place: one hash of the id, the detector's
    /// windows never copied, and `makeDetector` called only for the sensor's first reading.
    /// The daemon's `DetectionStage` and the offline `AlertScorer` keep their detectors so.
    public mutating func observe(_ sensor: String, time: Timestamp, value: Double, makeDetector: () -> SensorDetector) -> DetectionResult {
        if let i = index(forKey: sensor) { return values[i].observe(time: time, value: value) }
        var detector = makeDetector()
        let result = detector.observe(time: time, value: value)
        self[sensor] = detector
        return result
    }
}

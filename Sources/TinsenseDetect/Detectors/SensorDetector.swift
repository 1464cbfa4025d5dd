import TinsenseCore

/// The detection state of one sensor: its detector set, each with its rolling windows and
/// calibration history. Create one per sensor from a `DetectorSpec`; feed it every reading
/// of good or uncertain quality in source-time order.
///
/// Pure and deterministic: no clock, no I/O; the same readings give the same results, which
/// is what lets `tinsense score` and replays reproduce the daemon's alerts. Memory is O(w)
/// per sensor and grows as the series fills its windows (with the default set a sensor with
/// one reading costs about 4.5 KB, a warm one 8 KB: docs/PERFORMANCE.md "Memory per sensor");
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

/// The detectors of many sensors, by the small integer slot the validator gives each sensor
/// (`Verdict.accept`'s `slot`), so that a reading finds its sensor's detector by index, not
/// by hashing the id: the daemon's `DetectionStage` and the offline `AlertScorer` keep their
/// detectors so. Each slot remembers its sensor's id: when a reload has given the slot to
/// another sensor, that sensor starts with a new detector. Memory: one entry (24 bytes and
/// the detector) per slot up to the highest slot used, which the validator bounds by
/// `max_series`.
public struct SensorDetectorTable: Sendable {
    private struct Entry: Sendable {
        var sensor: String
        var detector: SensorDetector
    }

    private var entries: [Entry?] = []
    /// Slots holding a detector.
    public private(set) var count = 0

    public init() {}

    /// Scores `value` with the detector in `slot` in place (its windows never copied), after
    /// making it with `makeDetector` when the slot is empty or held another sensor's.
    public mutating func observe(slot: Int, sensor: String, time: Timestamp, value: Double,
                                 makeDetector: () -> SensorDetector) -> DetectionResult {
        precondition(slot >= 0, "a sensor slot is never negative")
        if slot < entries.count, entries[slot]?.sensor == sensor {
            return entries[slot]!.detector.observe(time: time, value: value)
        }
        if slot >= entries.count { entries.append(contentsOf: repeatElement(nil, count: slot + 1 - entries.count)) }
        if entries[slot] == nil { count += 1 }
        var detector = makeDetector()
        let result = detector.observe(time: time, value: value)
        entries[slot] = Entry(sensor: sensor, detector: detector)
        return result
    }

    /// Drops the detectors of the sensors `drop` names (a reload that changed their entries);
    /// returns how many were kept and how many dropped.
    public mutating func removeAll(where drop: (String) -> Bool) -> (kept: Int, removed: Int) {
        var kept = 0, removed = 0
        for slot in entries.indices {
            guard let sensor = entries[slot]?.sensor else { continue }
            if drop(sensor) {
                entries[slot] = nil
                removed += 1
            } else {
                kept += 1
            }
        }
        count = kept
        return (kept, removed)
    }
}

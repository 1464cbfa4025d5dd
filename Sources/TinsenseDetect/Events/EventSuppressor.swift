import TinsenseCore

/// One high score per event: a reading whose surprise is not `rise` times the recent peak's
/// (the highest so far, decaying) is reported at half its score.
///
/// Why: a threshold on per-reading scores counts every reading of a long anomaly, and every
/// reading of its ringing aftermath, as another alarm; an operator (and an event-window
/// score) wants one per incident. The alert rules do this for the daemon (pending → firing →
/// `keep_firing_for`); `tinsense score` prints per-reading scores, so it marks the onset
/// instead: the peak decays with a half-life of `halfLife` readings, and only a reading
/// clearly above it keeps its score. Independent of any threshold: whatever threshold one
/// picks, an event crosses it at its rising edge and stays below it while it rings. The
/// factor `rise` (1.5) is for events that keep growing — a level walking away from its
/// baseline raises a CUSUM at every reading, each one a new peak: within
/// `growingEventReadings` of its last kept score, such an event keeps its score only each
/// time its surprise has grown by half.
public struct EventSuppressor: Sendable {
    public static let defaultHalfLife = 200
    /// How much more surprising than the recent peak a reading must be to keep its score.
    public static let defaultRise = 1.5
    /// The recent peak, as surprise (decades of tail probability).
    private var peak = 0.0
    private let decay: Double
    private let rise: Double
    /// Readings since a reading last kept its score.
    private var sinceKept = Int.max / 2
    /// Within this many readings of the last kept score, a reading must `rise`.
    public static let growingEventReadings = 24

    public init(halfLife: Int = EventSuppressor.defaultHalfLife, rise: Double = EventSuppressor.defaultRise) {
        decay = halfLife > 0 ? Math.pow(0.5, 1 / Double(halfLife)) : 0
        self.rise = rise
    }

    @inline(__always)
    public mutating func filter(_ score: Double) -> Double {
        guard score > 0 else { peak *= decay; sinceKept += 1; return 0 }
        let surprise = score < 1 ? AnomalyScore.halfScoreSurprise * score / (1 - score) : .infinity
        let rises = surprise > (sinceKept < Self.growingEventReadings ? rise : 1) * peak
        peak = max(peak * decay, surprise)
        sinceKept = rises ? 0 : sinceKept + 1
        return rises ? score : 0.5 * score
    }
}

/// One series scored as `tinsense score` scores it: the sensor's detector set; then, when the
/// set asks for them (the default does), the second calibration stage over the combined
/// surprise (`likelihood.history` > 0) and one high score per event
/// (`likelihood.event_half_life` > 0).
///
/// Why these two stages are here and not in the daemon's `SensorDetector`: the daemon's alert
/// rules turn per-reading scores into alerts with their own event logic (`pending_for`,
/// `immediate_threshold`, `keep_firing_for`), tuned on the simulated plant; with the second
/// stage in front of them the simulated week lost a quarter of its recall (docs/DETECTION.md).
public struct SeriesScorer: Sendable {
    public private(set) var detector: SensorDetector
    private var likelihood: SurpriseCalibrator?
    private var suppressor: EventSuppressor?
    private let recordWeight: Double

    public init(spec: DetectorSpec) {
        detector = spec.makeDetector()
        likelihood = spec.likelihood.history > 0 ? SurpriseCalibrator(spec.likelihood) : nil
        recordWeight = spec.detectors.contains(.range) ? spec.likelihood.recordWeight : 0
        suppressor = spec.likelihood.eventHalfLife > 0 ? EventSuppressor(halfLife: spec.likelihood.eventHalfLife) : nil
    }

    @inline(__always)
    public mutating func score(time: Timestamp, value: Double) -> Double { observe(time: time, value: value).score }

    /// The printed score, and the detector set's result it came from (which detector, why).
    @inline(__always)
    public mutating func observe(time: Timestamp, value: Double) -> (score: Double, detection: DetectionResult) {
        let r = detector.observe(time: time, value: value)
        var s = r.score
        if likelihood != nil {
            var p = likelihood!.calibrate(r.tailProbability)
            if recordWeight > 0 { p = min(p, recordWeight * r.detectorProbabilities[.range]) }
            s = AnomalyScore.fromTailProbability(p)
        }
        return (suppressor == nil ? s : suppressor!.filter(s), r)
    }
}

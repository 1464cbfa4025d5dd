import TinsenseCore

/// One high score per event: a reading whose score does not rise above the recent peak (the
/// highest score so far, decaying) is reported at half its score.
///
/// Why: a threshold on per-reading scores counts every reading of a long anomaly, and every
/// reading of its ringing aftermath, as another alarm; an operator (and an event-window
/// score) wants one per incident. The alert rules do this for the daemon (pending → firing →
/// `keep_firing_for`); `tinsense score` prints per-reading scores, so it marks the onset
/// instead: the peak decays with a half-life of `halfLife` readings, and only a reading
/// scoring above it keeps its score. Independent of any threshold: whatever threshold one
/// picks, an event crosses it at its rising edge and stays below it while it rings.
public struct EventSuppressor: Sendable {
    public static let defaultHalfLife = 200
    private var peak = 0.0
    private let decay: Double

    public init(halfLife: Int = EventSuppressor.defaultHalfLife) {
        decay = halfLife > 0 ? Math.pow(0.5, 1 / Double(halfLife)) : 0
    }

    @inline(__always)
    public mutating func filter(_ score: Double) -> Double {
        let rises = score > peak
        peak = max(peak * decay, score)
        return rises ? score : 0.5 * score
    }
}

/// One series scored as `tinsense score` scores it: the sensor's detector set, then (when
/// the set asks for it, `likelihood.event_half_life` > 0) one high score per event.
public struct SeriesScorer: Sendable {
    public private(set) var detector: SensorDetector
    private var suppressor: EventSuppressor?

    public init(spec: DetectorSpec) {
        detector = spec.makeDetector()
        suppressor = spec.likelihood.eventHalfLife > 0 ? EventSuppressor(halfLife: spec.likelihood.eventHalfLife) : nil
    }

    @inline(__always)
    public mutating func score(time: Timestamp, value: Double) -> Double {
        let s = detector.observe(time: time, value: value).score
        return suppressor == nil ? s : suppressor!.filter(s)
    }
}

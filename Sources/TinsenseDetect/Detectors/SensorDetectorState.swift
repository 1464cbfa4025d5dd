import TinsenseCore

/// What a `SensorDetector` holds: the detector set, each with its rolling windows and
/// calibration history, and the scoring of one reading across them. Kept out of line (in
/// `SensorDetector`'s box), so a map of sensors to detectors stores one reference per sensor.
///
/// Only the default set's kinds are held inline (as optionals); `zscore`, `level_shift` and a
/// `mad` window too wide for 16-bit indices live in `RareDetectors`, allocated only for a set
/// that runs one of them, so a default sensor does not carry their ≈ 600 bytes.
struct SensorDetectorState {
    private var rare: RareDetectors?
    private var mad: MADDetector<UInt16>?
    private var drift: DriftDetector?
    private var flatline: FlatlineDetector?
    private var spike: SpikeDetector?
    private var variance: VarianceDetector?
    private var range: RangeDetector?
    private var seasonal: SeasonalDetector?
    /// The change from the previous reading, shared by `spike` and `variance`.
    private var changeTracker: ChangeTracker?
    private var floor = ScaleFloor()
    private let bonferroni: Double
    /// Which detectors run, as flags: testing `spike != nil` on the hot path copies the
    /// optional (a retain and a release of its buffers) for nothing; a flag costs a bit test.
    private let runs: UInt16
    /// Flag of `mad` with 32-bit indices (in `rare`), beside the kinds' own bits.
    private static let wideMad: UInt16 = 1 << 15
    private let firstKind: DetectorKind
    private var lastTime = Int64.min

    /// Each detector keeps the parameters it reads; the spec itself (336 bytes) is not kept
    /// per sensor.
    init(spec: DetectorSpec) {
        let c = spec.calibration
        var runs = spec.detectors.reduce(UInt16(0)) { $0 | 1 << UInt16($1.rawValue) }
        var rare: RareDetectors?
        func rareDetectors() -> RareDetectors {
            if let rare { return rare }
            let r = RareDetectors()
            rare = r
            return r
        }
        for kind in spec.detectors {
            switch kind {
            case .zscore: rareDetectors().zscore = ZScoreDetector(spec.zscore, calibration: c)
            case .mad:
                if MADDetector<UInt16>.fitsNarrow(spec.mad.window) {
                    mad = MADDetector(spec.mad, calibration: c)
                } else {
                    rareDetectors().mad = MADDetector(spec.mad, calibration: c)
                    runs |= Self.wideMad
                }
            case .drift: drift = DriftDetector(spec.drift, calibration: c)
            case .flatline: flatline = FlatlineDetector(spec.flatline, calibration: c)
            case .spike: spike = SpikeDetector(spec.spike, calibration: c)
            case .levelShift: rareDetectors().levelShift = LevelShiftDetector(spec.levelShift, calibration: c)
            case .variance: variance = VarianceDetector(spec.variance, calibration: c)
            case .range: range = RangeDetector(spec.range, calibration: c)
            case .seasonal: seasonal = SeasonalDetector(spec.seasonal, calibration: c)
            }
        }
        if spike != nil || variance != nil { changeTracker = ChangeTracker() }
        bonferroni = Double(spec.detectors.count)
        self.runs = runs
        self.rare = rare
        firstKind = spec.detectors[0]
    }

    /// An independent copy (the rare detectors' box is shared by a plain copy of the struct).
    func copy() -> SensorDetectorState {
        var c = self
        c.rare = rare?.copy()
        return c
    }

    @inline(__always)
    private func runs(_ kind: DetectorKind) -> Bool { runs & (1 << UInt16(kind.rawValue)) != 0 }

    /// Records one detector's output and keeps the most surprising. A static function with
    /// inout arguments, not a closure: captured variables would be boxed and every access
    /// checked for exclusivity at run time, on the hottest path of the daemon.
    @inline(__always)
    private static func take(_ o: DetectorOutput, _ probabilities: inout DetectorProbabilities, _ best: inout DetectorOutput) {
        probabilities[o.reason.detector] = o.tailProbability
        if o.tailProbability < best.tailProbability { best = o }
    }

    /// Scores one reading and then learns from it (`SensorDetector.observe`).
    mutating func observe(time: Timestamp, value: Double) -> DetectionResult {
        guard value.isFinite else {
            return DetectionResult(
                score: 0, tailProbability: 1,
                reason: DetectionReason(detector: firstKind, observed: value, expected: value, statistic: 0),
                detectorProbabilities: DetectorProbabilities())
        }
        let t = max(time.millisecondsSinceEpoch, lastTime)
        lastTime = t
        var probabilities = DetectorProbabilities()
        var best = DetectorOutput.quiet(firstKind, value)
        // The cycle first: when it predicted this reading (a square wave's edge, a sawtooth's
        // drop), the point detectors' view of it — a jump, a distance from the median — is the
        // cycle's shape, and they learn from it but do not score it. A new record still
        // scores: a slow ramp out of the range is "predicted" step by step by the cycle's
        // persistence term, and is exactly what `range` is for.
        var explained = false
        if runs(.seasonal) {
            Self.take(seasonal!.observe(time: t, value: value, floor: floor), &probabilities, &best)
            explained = seasonal!.explainsLast
        }
        if runs(.zscore) { Self.take(rare!.zscore!.observe(time: t, value: value, floor: floor), &probabilities, &best) }
        if runs(.mad) {
            let o = runs & Self.wideMad == 0
                ? mad!.observe(time: t, value: value, floor: floor)
                : rare!.mad!.observe(time: t, value: value, floor: floor)
            if !explained { Self.take(o, &probabilities, &best) }
        }
        let step = runs(.spike) || runs(.variance) ? changeTracker!.observe(time: t, value: value) : nil
        if runs(.spike) {
            let o = spike!.observe(step: step, value: value, floor: floor)
            if !explained { Self.take(o, &probabilities, &best) }
        }
        if runs(.levelShift) { Self.take(rare!.levelShift!.observe(time: t, value: value, floor: floor), &probabilities, &best) }
        if runs(.variance) { Self.take(variance!.observe(time: t, step: step, value: value, floor: floor), &probabilities, &best) }
        if runs(.drift) { Self.take(drift!.observe(time: t, value: value, floor: floor), &probabilities, &best) }
        if runs(.flatline) { Self.take(flatline!.observe(time: t, value: value, floor: floor), &probabilities, &best) }
        if runs(.range) { Self.take(range!.observe(value: value, floor: floor), &probabilities, &best) }
        floor.observe(value)
        let p = min(1, best.tailProbability * bonferroni)
        return DetectionResult(
            score: AnomalyScore.fromTailProbability(p), tailProbability: p,
            reason: best.reason, detectorProbabilities: probabilities)
    }
}

/// The detectors outside the default set, boxed so that a sensor that does not run them does
/// not hold them inline. Copied with its `SensorDetectorState` (`copy()`), never shared
/// between two states.
final class RareDetectors {
    var zscore: ZScoreDetector?
    var levelShift: LevelShiftDetector?
    /// `mad` with a window too wide for 16-bit indices.
    var mad: MADDetector<UInt32>?

    func copy() -> RareDetectors {
        let c = RareDetectors()
        c.zscore = zscore
        c.levelShift = levelShift
        c.mad = mad
        return c
    }
}

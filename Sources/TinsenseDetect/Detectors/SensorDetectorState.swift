import TinsenseCore

/// What a `SensorDetector` holds: the detector set, each with its rolling windows and
/// calibration history, and the scoring of one reading across them. Kept out of line (in
/// `SensorDetector`'s box), so a map of sensors to detectors stores one reference per sensor.
struct SensorDetectorState {
    private var zscore: ZScoreDetector?
    private var mad: MADDetector?
    private var drift: DriftDetector?
    private var flatline: FlatlineDetector?
    private var spike: SpikeDetector?
    private var levelShift: LevelShiftDetector?
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
    private let firstKind: DetectorKind
    private var lastTime = Int64.min

    /// Each detector keeps the parameters it reads; the spec itself (336 bytes) is not kept
    /// per sensor.
    init(spec: DetectorSpec) {
        let c = spec.calibration
        for kind in spec.detectors {
            switch kind {
            case .zscore: zscore = ZScoreDetector(spec.zscore, calibration: c)
            case .mad: mad = MADDetector(spec.mad, calibration: c)
            case .drift: drift = DriftDetector(spec.drift, calibration: c)
            case .flatline: flatline = FlatlineDetector(spec.flatline, calibration: c)
            case .spike: spike = SpikeDetector(spec.spike, calibration: c)
            case .levelShift: levelShift = LevelShiftDetector(spec.levelShift, calibration: c)
            case .variance: variance = VarianceDetector(spec.variance, calibration: c)
            case .range: range = RangeDetector(spec.range, calibration: c)
            case .seasonal: seasonal = SeasonalDetector(spec.seasonal, calibration: c)
            }
        }
        if spike != nil || variance != nil { changeTracker = ChangeTracker() }
        bonferroni = Double(spec.detectors.count)
        runs = spec.detectors.reduce(0) { $0 | 1 << UInt16($1.rawValue) }
        firstKind = spec.detectors[0]
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
        if runs(.zscore) { Self.take(zscore!.observe(time: t, value: value, floor: floor), &probabilities, &best) }
        if runs(.mad) {
            let o = mad!.observe(time: t, value: value, floor: floor)
            if !explained { Self.take(o, &probabilities, &best) }
        }
        let step = runs(.spike) || runs(.variance) ? changeTracker!.observe(time: t, value: value) : nil
        if runs(.spike) {
            let o = spike!.observe(step: step, value: value, floor: floor)
            if !explained { Self.take(o, &probabilities, &best) }
        }
        if runs(.levelShift) { Self.take(levelShift!.observe(time: t, value: value, floor: floor), &probabilities, &best) }
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

/// A step change: the median of the most recent stretch against the mean of the window
/// just before it, in standard errors, calibrated against the sensor's history.
///
/// The recent stretch uses a median so that a single spike does not look like a step (that
/// is `spike`'s job); readings leave the recent stretch into the reference window, so the two
/// never overlap and a step is seen at full height until the reference has absorbed it.
/// O(log s) for the short median, O(1) for the reference moments.
struct LevelShiftDetector {
    let parameters: LevelShiftParameters
    private var recent: RollingMedian
    private var reference: RollingMoments
    private var calibrator: TailCalibrator
    private let recentTarget: Int

    init(_ p: LevelShiftParameters, calibration: CalibrationParameters) {
        parameters = p
        recent = RollingMedian(p.short, keepsTimes: true)
        reference = RollingMoments(p.window)
        calibrator = TailCalibrator(historyLength: calibration.history, priorWeight: calibration.priorWeight, anomalousWeight: calibration.anomalyWeight)
        if case .samples(let n) = p.short { recentTarget = n } else { recentTarget = 3 }
    }

    mutating func observe(time: Int64, value: Double, floor: ScaleFloor) -> DetectorOutput {
        while recent.oldestIsDue(now: time) {
            let (t, v) = recent.removeOldest()
            reference.append(time: t, value: v)
        }
        // A full recent stretch hands its oldest reading to the reference as the new one
        // enters (`append` then replaces it in place, the cheap path).
        if recent.isFull {
            let (t, v) = recent.oldest
            reference.append(time: t, value: v)
        }
        recent.append(time: time, value: value)
        reference.evict(now: time)
        var out = DetectorOutput.quiet(.levelShift, value)
        guard reference.count >= parameters.minSamples, recent.count >= recentTarget else { return out }
        let level = recent.median
        let before = reference.mean
        let standardError = reference.standardDeviation / Double(recent.count).squareRoot()
        let r = abs(level - before) / max(standardError, floor.floor(near: before))
        out.tailProbability = calibrator.calibrate(r)
        out.reason = DetectionReason(detector: .levelShift, observed: level, expected: before, statistic: r)
        return out
    }
}

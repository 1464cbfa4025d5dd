/// Deviation of each reading from the rolling median, in rolling MADs (median absolute
/// deviation × 1.4826, the σ of a Gaussian), calibrated against the sensor's history.
///
/// Robust where `zscore` is not: a past spike moves neither the median nor the MAD, so the
/// reading after a fault is judged against normal operation. The MAD window holds each
/// reading's distance from the median *at the time it arrived* — the exact rolling MAD would
/// need every distance recomputed when the median moves, i.e. O(w) per reading; the
/// arrival-time version is O(log w) and converges to the same value on a stationary stretch.
struct MADDetector {
    let parameters: MADParameters
    private var values: RollingMedian
    private var deviations: RollingMedian
    private var calibrator: TailCalibrator

    init(_ p: MADParameters, calibration: CalibrationParameters) {
        parameters = p
        values = RollingMedian(p.window)
        deviations = RollingMedian(p.window)
        calibrator = TailCalibrator(historyLength: calibration.history, priorWeight: calibration.priorWeight)
    }

    mutating func observe(time: Int64, value: Double, floor: ScaleFloor) -> DetectorOutput {
        values.evict(now: time)
        deviations.evict(now: time)
        var out = DetectorOutput.quiet(.mad, value)
        if values.count > 0 {
            let median = values.median
            let distance = abs(value - median)
            if values.count >= parameters.minSamples {
                let scale = max(1.4826 * deviations.median, floor.floor(near: median))
                let r = distance / scale
                out.tailProbability = calibrator.calibrate(r)
                out.reason.expected = median
                out.reason.statistic = r
            }
            deviations.append(time: time, value: distance)
        }
        values.append(time: time, value: value)
        return out
    }
}

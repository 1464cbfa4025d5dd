/// Deviation of each reading from the rolling mean, in rolling standard deviations, with the
/// tail probability taken from the sensor's own history of such deviations.
///
/// The reading is compared with the window *before* it (the score of reading i depends on
/// readings ≤ i only), then enters the window. O(1) per reading, O(w) memory.
struct ZScoreDetector {
    let parameters: ZScoreParameters
    private var moments: RollingMoments
    private var calibrator: TailCalibrator

    init(_ p: ZScoreParameters, calibration: CalibrationParameters) {
        parameters = p
        moments = RollingMoments(p.window)
        calibrator = TailCalibrator(historyLength: calibration.history, priorWeight: calibration.priorWeight, anomalousWeight: calibration.anomalyWeight)
    }

    mutating func observe(time: Int64, value: Double, floor: ScaleFloor) -> DetectorOutput {
        moments.evict(now: time)
        var out = DetectorOutput.quiet(.zscore, value)
        if moments.count >= parameters.minSamples {
            let mean = moments.mean
            let scale = max(moments.standardDeviation, floor.floor(near: mean))
            let z = abs(value - mean) / scale
            out.tailProbability = calibrator.calibrate(z)
            out.reason.expected = mean
            out.reason.statistic = z
        }
        moments.append(time: time, value: value)
        return out
    }
}

/// A sudden jump between consecutive readings, against the sensor's typical change.
///
/// Gaps are not spikes: when readings are further apart than usual, the change is divided by
/// √(gap / usual interval) — the growth of a random walk's change with time — so a slowly
/// wandering signal that resumes after an outage at a new value is not flagged for the
/// outage, while a real jump at the usual cadence is. The typical change is an EWMA of
/// |Δ| clipped at 6× its current value, so one spike barely widens it. O(1) per reading.
struct SpikeDetector {
    let parameters: SpikeParameters
    private var calibrator: TailCalibrator
    private var lastValue = Double.nan
    private var lastTime: Int64 = 0
    private var meanChange = 0.0
    private var meanInterval = 0.0
    private var changes = 0

    init(_ p: SpikeParameters, calibration: CalibrationParameters) {
        parameters = p
        calibrator = TailCalibrator(historyLength: calibration.history, priorWeight: calibration.priorWeight, anomalousWeight: calibration.anomalyWeight)
    }

    mutating func observe(time: Int64, value: Double, floor: ScaleFloor) -> DetectorOutput {
        var out = DetectorOutput.quiet(.spike, value)
        defer { lastValue = value; lastTime = time }
        guard !lastValue.isNaN else { return out }
        let interval = Double(max(time - lastTime, 0))
        let jump = value - lastValue
        var change = abs(jump)
        if meanInterval > 0 && interval > meanInterval {
            change /= (interval / meanInterval).squareRoot()
        }
        changes += 1
        let alpha = max(1 / Double(changes), 1 / Double(parameters.span))
        let clippedInterval = meanInterval > 0 ? min(interval, 10 * meanInterval) : interval
        meanInterval += alpha * (clippedInterval - meanInterval)
        let scale = max(1.2533 * meanChange, floor.floor(near: value))
        if changes > parameters.minSamples {
            let r = change / scale
            out.tailProbability = calibrator.calibrate(r)
            out.reason = DetectionReason(detector: .spike, observed: jump, expected: scale, statistic: r)
        }
        let clippedChange = changes > parameters.minSamples ? min(change, 6 * scale) : change
        meanChange += alpha * (clippedChange - meanChange)
        return out
    }
}

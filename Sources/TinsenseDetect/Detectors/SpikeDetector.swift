/// A sudden jump between consecutive readings, against the sensor's typical change.
///
/// Gaps are not spikes: the change is the `ChangeTracker`'s, divided by √(gap / usual interval)
/// when readings are further apart than usual, so a slowly wandering signal that resumes
/// after an outage at a new value is not flagged for the outage, while a real jump at the
/// usual cadence is. The typical change is an EWMA of
/// |Δ| clipped at 6× its current value, so one spike barely widens it; while it rests on few
/// changes the ratio is t-like and `SmallSample` corrects it. O(1) per reading.
struct SpikeDetector {
    let parameters: SpikeParameters
    private var calibrator: TailCalibrator
    private let rate: WarmingRate
    private var meanChange = 0.0
    private var changes = 0

    init(_ p: SpikeParameters, calibration: CalibrationParameters) {
        parameters = p
        rate = WarmingRate(span: p.span)
        calibrator = TailCalibrator(historyLength: calibration.history, priorWeight: calibration.priorWeight, anomalousWeight: calibration.anomalyWeight)
    }

    /// - Parameter step: the reading's change from the previous one (`ChangeTracker`); nil
    ///   for a sensor's first reading.
    mutating func observe(step: ChangeTracker.Step?, value: Double, floor: ScaleFloor) -> DetectorOutput {
        var out = DetectorOutput.quiet(.spike, value)
        guard let step else { return out }
        let change = step.change
        changes += 1
        let alpha = rate.rate(changes)
        let scale = max(1.2533 * meanChange, floor.floor(near: value))
        if changes > parameters.minSamples {
            // The typical change is a mean of min(changes, 2·span − 1) readings' worth of
            // changes (the EWMA's equivalent sample), a mean absolute change 88 % as efficient
            // as a standard deviation: the degrees of freedom of the t-like ratio.
            let nu = 0.88 * Double(min(changes - 1, 2 * parameters.span - 1))
            let r = SmallSample.equivalentNormal(change / scale, degreesOfFreedom: max(1, nu))
            out.tailProbability = calibrator.calibrate(r)
            out.reason = DetectionReason(detector: .spike, observed: step.jump, expected: scale, statistic: r)
        }
        let clippedChange = changes > parameters.minSamples ? min(change, 6 * scale) : change
        meanChange += alpha * (clippedChange - meanChange)
        return out
    }
}

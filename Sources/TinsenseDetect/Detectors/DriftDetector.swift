/// Slow drift of the level (a fouling XRF window, an ageing pH electrode): a two-sided CUSUM
/// of residuals against a slow EWMA baseline, in baseline standard deviations.
///
/// Each residual is clipped at ±4 σ before it enters the sums, so one spike cannot look like
/// a drift; the baseline and its spread learn from clipped residuals for the same reason.
/// A drift faster than the baseline's span leaves a persistent residual larger than the
/// slack `k`, and the CUSUM grows linearly until the baseline catches up. O(1) per reading.
struct DriftDetector {
    let parameters: DriftParameters
    private var calibrator: TailCalibrator
    private let rate: WarmingRate
    private var n = 0
    private var baseline = 0.0
    private var meanAbsoluteResidual = 0.0
    private var up = 0.0
    private var down = 0.0

    init(_ p: DriftParameters, calibration: CalibrationParameters) {
        parameters = p
        rate = WarmingRate(span: p.span)
        calibrator = TailCalibrator(historyLength: calibration.history, priorWeight: calibration.priorWeight, priorScale: 3, anomalousWeight: calibration.anomalyWeight)
    }

    mutating func observe(time: Int64, value: Double, floor: ScaleFloor) -> DetectorOutput {
        n += 1
        var out = DetectorOutput.quiet(.drift, value)
        guard n > 1 else { baseline = value; return out }
        let sigma = max(1.2533 * meanAbsoluteResidual, floor.floor(near: baseline))
        let residual = value - baseline
        let z = min(max(residual / sigma, -4), 4)
        if n > parameters.minSamples {
            up = max(0, up + z - parameters.slack)
            down = max(0, down - z - parameters.slack)
            let r = max(up, down)
            out.tailProbability = calibrator.calibrate(r)
            out.reason = DetectionReason(detector: .drift, observed: value, expected: baseline, statistic: r)
        }
        let alpha = rate.rate(n - 1)
        let clipped = n > parameters.minSamples ? z * sigma : residual
        meanAbsoluteResidual += alpha * (abs(clipped) - meanAbsoluteResidual)
        baseline += alpha * clipped
        return out
    }
}

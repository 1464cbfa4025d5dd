/// A rise in noise (a loose connection, a failing transmitter, a vibrating probe): the
/// typical change between consecutive readings over the last few readings, against its
/// long-run level, calibrated against the sensor's history of that ratio.
///
/// The short-run spread is the *winsorized mean* of the last `short` absolute changes, each
/// clipped at 4× the long-run level: a spike (two large changes) or a step (one) adds at most
/// 8 or 4 "typical changes" to a sum of `short` (≈ 15) of them — a rise of the ratio of about
/// half, which the calibration of this sensor's own ratio keeps far below the threshold —
/// while a burst of extra noise raises every change and so the whole mean. (A median of the
/// changes would be more robust still; the clipped mean gives the same answers on the
/// simulator and SKAB at a third of the cost, which is what lets `variance` run in the
/// default set.) The long-run level is an EWMA of clipped changes over `span` readings,
/// learning at a tenth of its rate while the ratio is anomalous, so a burst is not learned as
/// normal before it is flagged. Changes are the `ChangeTracker`'s (shared with `spike`), so a
/// level that moves (a drift, a step) barely changes them, and a change across a longer gap
/// than usual is divided by √(gap / usual interval). The statistic is
/// `max(0, short / long − 1)`: only a *rise* counts. The calibrator's start-up prior is at
/// the ratio's own scale (1/√short), not at the σ scale of the other detectors, which made a
/// young sensor's ordinary ratio of 1.5 look rare. O(1) per reading (rolling sums), O(s)
/// memory.
struct VarianceDetector {
    let parameters: VarianceParameters
    private var recent: RollingSum
    private var calibrator: TailCalibrator
    private let rate: WarmingRate
    private var longSpread = 0.0
    private var n = 0
    private let shortTarget: Int

    init(_ p: VarianceParameters, calibration: CalibrationParameters) {
        parameters = p
        rate = WarmingRate(span: p.span)
        recent = RollingSum(p.short)
        if case .samples(let s) = p.short { shortTarget = min(s, 5) } else { shortTarget = 5 }
        // The start-up prior at the statistic's own scale: a mean of s changes (coefficient
        // of variation ≈ 0.76 each) wanders by about 1/√s around the long-run level, so a
        // half-normal of scale 1 would pretend a ratio of 2 is ordinary until real history
        // outweighs it.
        // (A time window's count is unknown here: take the default 15.)
        var s = 15.0
        if case .samples(let n) = p.short { s = Double(max(1, n)) }
        calibrator = TailCalibrator(historyLength: calibration.history, priorWeight: calibration.priorWeight,
                                    priorScale: 1 / s.squareRoot(), anomalousWeight: calibration.anomalyWeight)
    }

    /// - Parameter step: the reading's change from the previous one (`ChangeTracker`); nil
    ///   for a sensor's first reading.
    mutating func observe(time: Int64, step: ChangeTracker.Step?, value: Double, floor: ScaleFloor) -> DetectorOutput {
        var out = DetectorOutput.quiet(.variance, value)
        guard let step else { return out }
        n += 1
        let alpha = rate.rate(n)
        let clipped = longSpread > 0 ? min(step.change, 4 * longSpread) : step.change
        recent.append(time: time, value: clipped)
        let reference = max(longSpread, floor.floor(near: value))
        if n > parameters.minSamples && recent.count >= shortTarget {
            let spread = recent.mean
            let ratio = spread / reference
            let r = max(0, ratio - 1)
            out.tailProbability = calibrator.calibrate(r)
            out.reason = DetectionReason(detector: .variance, observed: spread, expected: reference, statistic: ratio)
        }
        // Learn an anomalous stretch at a tenth of the rate, like the calibrator does.
        let weight = out.tailProbability < TailCalibrator.anomalousProbability ? 0.1 : 1
        longSpread += weight * alpha * (clipped - longSpread)
        return out
    }
}

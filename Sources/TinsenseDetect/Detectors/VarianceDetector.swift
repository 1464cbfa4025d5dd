/// A rise in noise (a loose connection, a failing transmitter, a vibrating probe): the
/// typical change between consecutive readings over the last few readings, against its
/// long-run level, calibrated against the sensor's history of that ratio.
///
/// The short-run spread is the *median* of the last `short` absolute changes, so one spike
/// (two large changes) or one step (one) does not move it — those are `spike`'s and
/// `drift`'s — while a burst of extra noise raises every change and so the median. The
/// long-run level is an EWMA of that median over `span` readings, fed with values clipped at
/// 4× itself and learning at a tenth of its rate while the ratio is anomalous, so a burst is
/// not learned as normal before it is flagged. Changes are taken
/// between consecutive readings, so a level that moves (a drift, a step) barely changes
/// them, and a change across a longer gap than usual is divided by √(gap / usual interval)
/// as in `spike`. The statistic is `max(0, short / long − 1)`: only a *rise* counts.
/// O(log s) per reading (an indexed double heap of `short` changes), O(s) memory.
struct VarianceDetector {
    let parameters: VarianceParameters
    private var changes: RollingMedian
    private var calibrator: TailCalibrator
    private var lastValue = Double.nan
    private var lastTime: Int64 = 0
    private var meanInterval = 0.0
    private var longSpread = 0.0
    private var n = 0
    private let shortTarget: Int

    init(_ p: VarianceParameters, calibration: CalibrationParameters) {
        parameters = p
        changes = RollingMedian(p.short)
        calibrator = TailCalibrator(historyLength: calibration.history, priorWeight: calibration.priorWeight, anomalousWeight: calibration.anomalyWeight)
        if case .samples(let s) = p.short { shortTarget = min(s, 5) } else { shortTarget = 5 }
    }

    mutating func observe(time: Int64, value: Double, floor: ScaleFloor) -> DetectorOutput {
        var out = DetectorOutput.quiet(.variance, value)
        defer { lastValue = value; lastTime = time }
        guard !lastValue.isNaN else { return out }
        let interval = Double(max(time - lastTime, 0))
        var change = abs(value - lastValue)
        if meanInterval > 0 && interval > meanInterval {
            change /= (interval / meanInterval).squareRoot()
        }
        n += 1
        let alpha = max(1 / Double(n), 1 / Double(parameters.span))
        let clippedInterval = meanInterval > 0 ? min(interval, 10 * meanInterval) : interval
        meanInterval += alpha * (clippedInterval - meanInterval)
        changes.evict(now: time)
        changes.append(time: time, value: change)
        guard changes.count >= shortTarget else { return out }
        let spread = changes.median
        let reference = max(longSpread, floor.floor(near: value))
        if n > parameters.minSamples {
            let ratio = spread / reference
            let r = max(0, ratio - 1)
            out.tailProbability = calibrator.calibrate(r)
            out.reason = DetectionReason(detector: .variance, observed: spread, expected: reference, statistic: ratio)
        }
        let fed = n > parameters.minSamples ? min(spread, 4 * reference) : spread
        // Learn an anomalous stretch at a tenth of the rate, like the calibrator does.
        let weight = out.tailProbability < TailCalibrator.anomalousProbability ? 0.1 : 1
        longSpread += weight * alpha * (fed - longSpread)
        return out
    }
}

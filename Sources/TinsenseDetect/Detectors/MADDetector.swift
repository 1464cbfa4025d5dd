/// Deviation of each reading from the rolling median, in rolling MADs (median absolute
/// deviation × 1.4826, the σ of a Gaussian), calibrated against the sensor's history.
///
/// Robust where `zscore` is not: a past spike moves neither the median nor the MAD, so the
/// reading after a fault is judged against normal operation. The MAD window holds each
/// reading's distance from the median *at the time it arrived* — the exact rolling MAD would
/// need every distance recomputed when the median moves, i.e. O(w) per reading; the
/// arrival-time version is O(log w) and converges to the same value on a stationary stretch.
///
/// The scale is estimated from the window itself, so the deviation is t-like with about as many
/// degrees of freedom as the window holds distances; `SmallSample` maps it to the equivalent
/// normal deviate, so a window of 10 readings does not flag the noise of its own scale.
///
/// A quantised signal that sits on one value more than half the time has a MAD of 0, and
/// every step off that value would be "infinitely" far out. As in Iglewicz and Hoaglin's
/// modified z-score, the scale then falls back to the mean absolute deviation (×1.2533, the
/// σ of a Gaussian); taking the larger of MAD·1.4826 and half that keeps the robust scale
/// in charge whenever the MAD is meaningful.
///
/// Generic over the windows' index width: 16-bit slot numbers and heap positions for windows
/// of up to 65,530 readings (every default), 32-bit beyond (`SensorDetectorState` picks).
///
/// Both windows keep `Float` keys (8 bytes a slot with 16-bit indices, not 12): the values as
/// their distance from a moving origin (the window's median, re-taken every window's worth of
/// readings), so each is held to a part in 2²⁴ of its distance from the median, not of its
/// magnitude; the distances as they are (a part in 2²⁴ of each). The median and the scale
/// differ from the all-`Double` windows' by those roundings (docs/PERFORMANCE.md "Memory per
/// sensor"; `MADMemoryTests` bounds it).
struct MADDetector<Index: FixedWidthInteger & UnsignedInteger & Sendable> {
    let parameters: MADParameters
    private var values: IndexedMedian<Float, Index>
    private var deviations: IndexedMedian<Float, Index>
    private var calibrator: TailCalibrator
    private var sinceDeviation = 0
    /// One reading in `stride` gives its distance to the deviation window.
    static var stride: Int { 2 }

    /// Whether `window` fits 16-bit indices.
    static func fitsNarrow(_ window: WindowLength) -> Bool {
        max(1, window.capacity) <= IndexedMedian<Float, UInt16>.maxBound
    }

    init(_ p: MADParameters, calibration: CalibrationParameters) {
        parameters = p
        values = IndexedMedian(p.window, relative: true)
        deviations = IndexedMedian(Self.thinned(p.window))
        calibrator = TailCalibrator(historyLength: calibration.history, priorWeight: calibration.priorWeight, anomalousWeight: calibration.anomalyWeight)
    }

    /// The deviation window covers the same span with every other reading: a scale estimated
    /// from w/2 deviations is within a few per cent of one from w, at half the cost of the
    /// second heap — which is what keeps the default set within its budget per reading.
    /// (Every fourth reading saves another 15 ns but leaves a slow analyzer, a few hundred
    /// readings a day, too few distances: it missed 3 more simulated XRF faults in 7 days.)
    static func thinned(_ w: WindowLength) -> WindowLength {
        switch w {
        case .samples(let n): .samples(max(1, n / stride))
        case .duration(let ms, let cap): .duration(milliseconds: ms, maxSamples: max(1, cap / stride))
        }
    }

    mutating func observe(time: Int64, value: Double, floor: ScaleFloor) -> DetectorOutput {
        values.evict(now: time)
        deviations.evict(now: time)
        var out = DetectorOutput.quiet(.mad, value)
        if values.count > 0 {
            let median = values.median
            let distance = abs(value - median)
            if values.count >= parameters.minSamples {
                let scale = max(1.4826 * deviations.median, 0.5 * 1.2533 * deviations.mean, floor.floor(near: median))
                // The scale is the median of `deviations.count` distances: a young window
                // (or a slow sensor) has a t-like statistic with heavy tails.
                let r = SmallSample.equivalentNormal(distance / scale, degreesOfFreedom: Double(max(1, deviations.count)))
                out.tailProbability = calibrator.calibrate(r)
                out.reason.expected = median
                out.reason.statistic = r
            }
            sinceDeviation += 1
            if sinceDeviation == Self.stride {
                sinceDeviation = 0
                deviations.append(time: time, value: distance)
            }
        }
        values.append(time: time, value: value)
        return out
    }
}

/// A reading beyond everything the sensor has ever shown: the distance past its all-time
/// minimum or maximum, in units of that range.
///
/// Why: on real-world series the largest excursion is most often the incident, and "never
/// seen before" needs no model of the signal — it holds for daily cycles, heavy-tailed
/// counts, trends and quantised tags alike. The probability of a record this large is
/// *how often this sensor breaks its record* (an EWMA of records per reading, over about
/// `calibration.history` readings) × *how often a record is at least this far out* (a
/// calibrator fed only the records, with a half-normal prior of records about 20 % of the
/// range: a young Gaussian series' next record can be 40 % of its range out, and that is
/// unusual, not 10⁻¹²): a trend
/// that sets a new maximum every day learns that small records are normal, while a series
/// that settled its range long ago makes any record rare. O(1), a few numbers.
struct RangeDetector {
    private var excessCalibrator: TailCalibrator
    private var low = Double.infinity
    private var high = -Double.infinity
    private var count = 0
    private var recordRate = 1.0
    private let rate: WarmingRate
    let minSamples: Int

    init(_ p: RangeParameters, calibration: CalibrationParameters) {
        minSamples = p.minSamples
        rate = WarmingRate(span: calibration.history)
        // 5·ln(1 + r): in units of 20 % of the range for small records (the calibrator's bins
        // resolve statistics ≳ 0.2), logarithmic for large ones — a heavy-tailed series' young
        // history can be broken by several ranges at once, and that is unusual, not 10⁻⁴⁰.
        excessCalibrator = TailCalibrator(historyLength: calibration.history, priorWeight: calibration.priorWeight,
                                          priorScale: 1, refreshInterval: 1, anomalousWeight: calibration.anomalyWeight)
    }

    mutating func observe(value: Double, floor: ScaleFloor) -> DetectorOutput {
        var out = DetectorOutput.quiet(.range, value)
        count += 1
        let excess = value > high ? value - high : value < low ? low - value : 0
        if count > minSamples {
            let isRecord = excess > 0
            recordRate += rate.rate(count - minSamples) * ((isRecord ? 1 : 0) - recordRate)
            if isRecord {
                let range = max(high - low, 2 * floor.floor(near: value))
                let r = excess / range
                out.tailProbability = min(1, recordRate * excessCalibrator.calibrate(5 * Math.log(1 + r)))
                out.reason = DetectionReason(detector: .range, observed: value, expected: value > high ? high : low, statistic: r)
            }
        }
        if value < low { low = value }
        if value > high { high = value }
        return out
    }
}

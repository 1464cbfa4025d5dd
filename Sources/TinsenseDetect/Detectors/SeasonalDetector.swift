/// Prediction error against the series' own daily or weekly cycle, found online: for anomalies
/// inside the normal range — a dip at an hour the signal is usually high, a missing cycle, a
/// cycle of changed shape, amplitude or frequency.
///
/// Why the cycle is found, not configured: plant, traffic and server series repeat by the
/// clock, but nobody declares which do. Once the cadence is known (the shortest of the first
/// 16 gaps) the detector learns a daily and, after a day, a weekly `SeasonalProfile`, and
/// keeps the mean absolute error of each against the error of predicting the last value or
/// the running level. A cycle is used only when it has been seen `minPeriods` times and
/// predicts at least 20 % better than both; a series without a cycle (1 Hz plant tags, random
/// walks) leaves this detector silent. Two statistics, each calibrated: the reading's error in
/// units of the cycle's mean error, and the mean of that over the last `short` readings
/// (clipped at 4 each) — a missing cycle is a little wrong at every reading, far wrong together.
/// O(1) per reading; memory: 2 × 288 floats once the cadence is known (the weekly one after a
/// day), two calibrators and a ring of `short` once a cycle is in use.
struct SeasonalDetector {
    static let day: Int64 = 86_400_000
    let parameters: SeasonalParameters
    private let calibration: CalibrationParameters
    /// Created when a cycle is first used (most series never have one: no memory for them).
    private var pointCalibrator: TailCalibrator?
    private var shapeCalibrator: TailCalibrator?
    private var daily: SeasonalProfile?
    private var weekly: SeasonalProfile?
    private var gaps = 0
    private var cadence = Int64.max
    private var firstTime = Int64.min
    private var lastTime = Int64.min
    private var lastValue = Double.nan
    // References without a cycle: last value, running level.
    private var level = Double.nan
    private var naiveError = 0.0
    private var levelError = 0.0
    private var seen = 0
    private var recent: [Float]
    private var recentSum = 0.0
    private var recentHead = 0
    private var recentCount = 0
    /// Whether the cycle in use predicted the last reading to within `explainedRatio` of its
    /// usual error: then a jump, a distance from the median or a new record is the cycle's
    /// own shape (a square wave's edge, a sawtooth's drop), not an anomaly.
    private(set) var explainsLast = false
    static let explainedRatio = 3.0

    init(_ p: SeasonalParameters, calibration: CalibrationParameters) {
        parameters = p
        self.calibration = calibration
        recent = []
    }

    /// Whether a profile may be used for a reading at `t`: seen long enough, and predicting
    /// clearly better than both references without a cycle.
    @inline(__always)
    private func usable(_ c: SeasonalProfile, at t: Int64) -> Bool {
        t - firstTime >= Int64(parameters.minPeriods) * c.period && c.predictions > 0
            && c.meanError < 0.8 * min(naiveError, levelError)
    }

    mutating func observe(time t: Int64, value x: Double, floor: ScaleFloor) -> DetectorOutput {
        var out = DetectorOutput.quiet(.seasonal, x)
        if firstTime == Int64.min { firstTime = t }
        if lastTime != Int64.min, t > lastTime, gaps < 16 {
            gaps += 1
            cadence = min(cadence, t - lastTime)
        }
        if gaps >= 16 && daily == nil && cadence <= Self.day / 12 {
            daily = SeasonalProfile(period: Self.day, cadence: cadence)
        }
        if gaps >= 16 && weekly == nil && cadence <= Self.day / 12 && t - firstTime >= Self.day {
            weekly = SeasonalProfile(period: 7 * Self.day, cadence: cadence)
        }
        // Each profile's slot and prediction, once.
        let dailySlot = daily?.slot(t) ?? 0, weeklySlot = weekly?.slot(t) ?? 0
        let dailyPrediction = daily?.predict(slot: dailySlot), weeklyPrediction = weekly?.predict(slot: weeklySlot)
        // The cycle in use: the usable profile with the smaller mean error.
        var modelError = Double.infinity
        var modelPrediction: Double?
        if dailyPrediction != nil, usable(daily!, at: t) { modelError = daily!.meanError; modelPrediction = dailyPrediction }
        if weeklyPrediction != nil, usable(weekly!, at: t), weekly!.meanError < modelError {
            modelError = weekly!.meanError
            modelPrediction = weeklyPrediction
        }
        var weight = 1.0
        if let prediction = modelPrediction {
            let error = x - prediction
            let scale = max(modelError, floor.floor(near: x))
            let ratio = abs(error) / scale
            explainsLast = ratio < Self.explainedRatio
            if pointCalibrator == nil {
                let c = calibration
                pointCalibrator = TailCalibrator(historyLength: c.history, priorWeight: c.priorWeight,
                                                 priorScale: 1.25, anomalousWeight: c.anomalyWeight)
                shapeCalibrator = TailCalibrator(historyLength: c.history, priorWeight: c.priorWeight,
                                                 priorScale: 1, anomalousWeight: c.anomalyWeight)
                recent = [Float](repeating: 0, count: max(1, parameters.short))
            }
            let pPoint = pointCalibrator!.calibrate(ratio)
            // The recent mean error, each reading clipped at 4 so one spike is not a shape.
            let clipped = Float(min(ratio, 4))
            if recentCount == recent.count { recentSum -= Double(recent[recentHead]) } else { recentCount += 1 }
            recent[recentHead] = clipped
            recentSum += Double(clipped)
            recentHead = (recentHead + 1) % recent.count
            var pShape = 1.0
            if recentCount == recent.count {
                // ×3: the calibrator's bins resolve statistics ≳ 0.2.
                pShape = shapeCalibrator!.calibrate(3 * max(0, recentSum / Double(recentCount) - 1))
            }
            let p = min(1, 2 * min(pPoint, pShape))
            out.tailProbability = p
            out.reason = DetectionReason(detector: .seasonal, observed: x, expected: prediction, statistic: ratio)
            if p < TailCalibrator.anomalousProbability { weight = 0.1 }
        } else {
            explainsLast = false
            recentCount = 0
            recentSum = 0
        }
        // Learn: each profile, and the references without a cycle.
        if daily != nil { daily!.learn(slot: dailySlot, x, error: dailyPrediction.map { x - $0 }, weight: weight) }
        if weekly != nil { weekly!.learn(slot: weeklySlot, x, error: weeklyPrediction.map { x - $0 }, weight: weight) }
        seen += 1
        let a = max(1 / 2000.0, 1 / Double(seen))
        if lastValue.isFinite { naiveError += a * (abs(x - lastValue) - naiveError) }
        if level.isFinite { levelError += a * (abs(x - level) - levelError) } else { level = x }
        level += max(1 / 500.0, 1 / Double(seen)) * (x - level)
        lastValue = x
        lastTime = max(lastTime, t)
        return out
    }
}

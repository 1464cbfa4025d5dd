/// A stuck sensor: a run of unchanged readings longer than this sensor's runs usually are.
///
/// "Usually" is learned: every completed run's length enters a `TailCalibrator`, so a noisy
/// analog tag is flagged after a handful of identical values, while a quantised level that
/// legitimately sits still for minutes is flagged only when it sits still far longer than it
/// ever has. The run is measured against its first value (not the previous one), so a slow
/// creep within `tolerance` per step still ends the run. O(1) per reading.
struct FlatlineDetector {
    let parameters: FlatlineParameters
    private var calibrator: TailCalibrator
    private var runValue = Double.nan
    private var runLength = 0
    private var runStart: Int64 = 0
    private var completedRuns = 0

    init(_ p: FlatlineParameters, calibration: CalibrationParameters) {
        parameters = p
        // History counts runs, not readings: `calibration.history` runs, so that it spans the
        // slow swings of the process (a quantised signal near a turning point sits still far
        // longer than on a slope; 250 runs of a 2 s tag were 25 minutes and forgot them).
        // Refresh every 8 runs (before `minRuns` is reached).
        calibrator = TailCalibrator(
            historyLength: max(16, calibration.history), priorWeight: 5, priorScale: 1, refreshInterval: 8)
    }

    mutating func observe(time: Int64, value: Double, floor: ScaleFloor) -> DetectorOutput {
        if runLength > 0 && abs(value - runValue) <= parameters.tolerance {
            runLength += 1
        } else {
            if runLength > 0 {
                calibrator.record(Double(runLength - 1))
                completedRuns += 1
            }
            runValue = value
            runLength = 1
            runStart = time
        }
        let repeats = runLength - 1
        var out = DetectorOutput.quiet(.flatline, value)
        guard repeats >= parameters.minSamples,
              completedRuns >= parameters.minRuns,
              time - runStart >= parameters.minDurationMilliseconds else { return out }
        out.tailProbability = calibrator.tailProbability(of: Double(repeats))
        out.reason = DetectionReason(detector: .flatline, observed: Double(runLength), expected: runValue, statistic: Double(repeats))
        return out
    }
}

/// The plain baseline every detector is measured against: a rolling-window Gaussian z-score
/// whose tail probability assumes normal noise, with none of the calibration, robustness or
/// gap handling of the real detectors. Same window as `zscore` by default.
public struct GaussianZScoreBaseline: Sendable {
    private var moments: RollingMoments
    private let minSamples: Int

    public init(window: Int = 500, minSamples: Int = 10) {
        moments = RollingMoments(.samples(window))
        self.minSamples = minSamples
    }

    /// Two-sided Gaussian tail probability of `value` against the window before it.
    public mutating func tailProbability(time: Int64, value: Double) -> Double {
        defer { moments.append(time: time, value: value) }
        guard value.isFinite, moments.count >= minSamples else { return 1 }
        let sd = moments.standardDeviation
        guard sd > 0 else { return value == moments.mean ? 1 : 0 }
        return Math.twoSidedGaussianTail((value - moments.mean) / sd)
    }
}

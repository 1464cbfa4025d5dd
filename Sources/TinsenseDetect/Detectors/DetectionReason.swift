import TinsenseCore

/// Why a detector scored a reading as it did, in numbers an operator can check against a
/// plot: what was seen, what the detector expected, and the raw deviation statistic.
///
/// Kept as numbers (not text) so the hot path never formats strings; `description` renders
/// it for the alert log.
public struct DetectionReason: Sendable, Hashable, CustomStringConvertible {
    public var detector: DetectorKind
    /// The quantity the detector looked at (the value, a step, a run length…).
    public var observed: Double
    /// What it expected that quantity to be (rolling mean, median, baseline…).
    public var expected: Double
    /// The raw deviation statistic before calibration (σs, MADs, CUSUM units, readings).
    public var statistic: Double

    public init(detector: DetectorKind, observed: Double, expected: Double, statistic: Double) {
        self.detector = detector
        self.observed = observed
        self.expected = expected
        self.statistic = statistic
    }

    public var description: String {
        let dir = observed >= expected ? "above" : "below"
        let s = Self.short(statistic)
        switch detector {
        case .zscore:
            return "value \(Self.short(observed)) is \(s) σ \(dir) the rolling mean \(Self.short(expected))"
        case .mad:
            return "value \(Self.short(observed)) is \(s) MADs \(dir) the rolling median \(Self.short(expected))"
        case .drift:
            return "level drifting \(observed >= expected ? "up" : "down"): value \(Self.short(observed)) vs baseline \(Self.short(expected)) (CUSUM \(s))"
        case .flatline:
            return "value stuck at \(Self.short(expected)) for \(Self.short(observed)) readings"
        case .spike:
            return "jump of \(Self.short(observed)) between readings (\(s)× the usual change \(Self.short(expected)))"
        case .levelShift:
            return "level shifted to \(Self.short(observed)) from \(Self.short(expected)) (\(s) standard errors)"
        case .variance:
            return "noise rose: typical change \(Self.short(observed)) between readings is \(s)× the usual \(Self.short(expected))"
        case .range:
            return "value \(Self.short(observed)) is beyond the all-time \(observed >= expected ? "maximum" : "minimum") \(Self.short(expected)) by \(s)× the range"
        case .seasonal:
            return "value \(Self.short(observed)) where the daily/weekly cycle predicts \(Self.short(expected)) (\(s)× the usual error)"
        }
    }

    /// At most four decimals (fewer for large values), trailing zeros dropped: see
    /// `FixedDecimal.short`, which the alert engine's messages share.
    public static func short(_ v: Double) -> String { FixedDecimal.short(v) }
}

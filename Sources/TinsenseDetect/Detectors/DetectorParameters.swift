/// Parameters of `zscore`: point deviation from the rolling mean.
public struct ZScoreParameters: Sendable, Hashable {
    /// Rolling window of the mean and standard deviation.
    public var window = WindowLength.samples(500)
    /// Readings in the window before the detector scores at all.
    public var minSamples = 10
    public init() {}
}

/// Parameters of `mad`: point deviation from the rolling median in MADs.
public struct MADParameters: Sendable, Hashable {
    /// Rolling window of the median and of the absolute deviations.
    public var window = WindowLength.samples(200)
    public var minSamples = 10
    public init() {}
}

/// Parameters of `drift`: two-sided CUSUM against a slow EWMA baseline.
public struct DriftParameters: Sendable, Hashable {
    /// Readings of memory of the baseline EWMA (its span); drifts slower than this are
    /// absorbed into the baseline.
    public var span = 500
    /// CUSUM slack k, in baseline standard deviations: shifts smaller than k are ignored.
    public var slack = 1.0
    public var minSamples = 30
    public init() {}
}

/// Parameters of `flatline`: a run of unchanged readings.
public struct FlatlineParameters: Sendable, Hashable {
    /// Two readings closer than this (in the sensor's units) count as "unchanged"; 0 means
    /// exactly equal, which is what a stuck transmitter repeating its last value produces.
    public var tolerance = 0.0
    /// Repeats before the run can score at all.
    public var minSamples = 5
    /// Time the run must have lasted before it can score (milliseconds).
    public var minDurationMilliseconds: Int64 = 0
    /// Completed runs the detector must have seen before it judges a run (a signal that has
    /// never moved gives no evidence of what "stuck" means for it).
    public var minRuns = 20
    public init() {}
}

/// Parameters of `spike`: the change from the previous reading.
public struct SpikeParameters: Sendable, Hashable {
    /// Readings of memory of the typical change and of the typical time between readings.
    public var span = 200
    public var minSamples = 10
    public init() {}
}

/// Parameters of `level_shift`: the recent median against the window before it.
public struct LevelShiftParameters: Sendable, Hashable {
    /// The recent stretch whose median is compared.
    public var short = WindowLength.samples(10)
    /// The reference window before the recent stretch.
    public var window = WindowLength.samples(300)
    public var minSamples = 30
    public init() {}
}

/// Parameters of `variance`: the recent typical change against its long-run level.
public struct VarianceParameters: Sendable, Hashable {
    /// The recent stretch whose (winsorized) mean absolute change is compared.
    public var short = WindowLength.samples(15)
    /// Readings of memory of the long-run typical change.
    public var span = 500
    public var minSamples = 30
    public init() {}
}

/// How raw statistics become tail probabilities (see `TailCalibrator`).
public struct CalibrationParameters: Sendable, Hashable {
    /// Readings of memory of each detector's history of deviations.
    public var history = 2000
    /// Pseudo-readings of the start-up prior; larger is calmer during warm-up.
    public var priorWeight = 30.0
    public var exponentialPrior = true
    /// Weight in the history of a deviation that was itself anomalous (p < 10⁻⁴): 0 never
    /// learns from anomalies (alarms last as long as the windows remember normal), 1 learns
    /// from them like from normal readings (alarms fade quickly).
    public var anomalyWeight = 0.1
    public init() {}
}

/// Parameters of `range`: the distance beyond the all-time minimum and maximum.
public struct RangeParameters: Sendable, Hashable {
    /// Readings before the range is trusted at all.
    public var minSamples = 30
    public init() {}
}

/// Parameters of `seasonal`: prediction error against the series' own daily or weekly cycle.
public struct SeasonalParameters: Sendable, Hashable {
    /// Readings of the recent stretch whose mean error is compared (a changed shape, a
    /// missing cycle: each reading is a little off, together they are far off).
    public var short = 12
    /// Full periods seen before a cycle may be used.
    public var minPeriods = 2
    public init() {}
}

/// Parameters of the second calibration stage: how rare is this reading's combined surprise
/// against the series' own history of combined surprise.
public struct LikelihoodParameters: Sendable, Hashable {
    /// Readings of memory of the combined surprise's history.
    public var history = 8000
    /// Pseudo-readings of the stage's start-up prior (surprise as under the null). 100, not
    /// the first stage's 30: this stage learns anomalies at full weight, so a young series'
    /// first surprises would otherwise make its tail jumpy (generality benchmark, tune part:
    /// 49.2 at 30, 50.9 at 100, 50.0 at 150, 48.1 at 70).
    public var priorWeight = 100.0
    public var exponentialPrior = true
    /// `tinsense score` only: half-life in readings of the peak a score must rise above to be
    /// printed in full (`EventSuppressor`); 0 = every reading's own score.
    public var eventHalfLife = EventSuppressor.defaultHalfLife
    /// `tinsense score` only: a new record (`range`) keeps its own tail probability times this
    /// when that is smaller than the second stage's (0 = off). `range`'s probability is
    /// already calibrated on this series (record rate × record-size tail), so the second stage
    /// must not dilute it on a series whose other detectors are often surprised.
    public var recordWeight = 3.0
    public init() {}
}

/// The streaming detectors a sensor can run. Each answers a different question about the
/// newest reading, so a set of them covers the faults plant signals show.
public enum DetectorKind: Int, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Point deviation from the rolling mean, in rolling standard deviations.
    case zscore
    /// Point deviation from the rolling median, in rolling MADs (robust to past outliers).
    case mad
    /// Slow drift of the level: two-sided CUSUM of standardised residuals.
    case drift
    /// Stuck sensor: a run of unchanged values longer than this sensor's runs ever are.
    case flatline
    /// Sudden jump between consecutive readings, scaled for the time between them.
    case spike
    /// Step change: the median of the last few readings against the window before them.
    case levelShift
    /// Rise in noise: the recent typical change between readings against its long-run level.
    case variance
    /// A reading beyond the all-time minimum or maximum, in units of that range.
    case range
    /// Prediction error against the series' own daily or weekly cycle (found online).
    case seasonal

    /// The name used in config, on the command line and in the alert log.
    public var name: String {
        switch self {
        case .zscore: "zscore"
        case .mad: "mad"
        case .drift: "drift"
        case .flatline: "flatline"
        case .spike: "spike"
        case .levelShift: "level_shift"
        case .variance: "variance"
        case .range: "range"
        case .seasonal: "seasonal"
        }
    }

    public var description: String { name }

    /// Accepts the names above and the aliases `cusum`, `stuck`, `rate`, `step`, `median`, `noise`, `record`, `cycle`.
    public init?(name: String) {
        switch name.lowercased() {
        case "zscore", "z": self = .zscore
        case "mad", "median", "robust": self = .mad
        case "drift", "cusum", "ewma": self = .drift
        case "flatline", "stuck": self = .flatline
        case "spike", "rate", "rate_of_change": self = .spike
        case "level_shift", "step", "levelshift": self = .levelShift
        case "variance", "noise", "volatility": self = .variance
        case "range", "extremes", "record": self = .range
        case "seasonal", "cycle", "periodic": self = .seasonal
        default: return nil
        }
    }
}

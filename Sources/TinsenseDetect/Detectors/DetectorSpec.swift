import TinsenseCore
/// A detector set and its parameters: what one sensor (or class of sensors) runs.
///
/// Built from the same words everywhere — a TOML `detectors = ["default"]` list with
/// `[detection.params]` overrides, or `tinsense score --detector mad --set mad.window=5m` —
/// so that a setting tuned offline with `score` pastes into the config unchanged.
public struct DetectorSpec: Sendable, Hashable {
    /// The detectors to run, in a fixed order, without duplicates.
    public private(set) var detectors: [DetectorKind]
    public var zscore = ZScoreParameters()
    public var mad = MADParameters()
    public var drift = DriftParameters()
    public var flatline = FlatlineParameters()
    public var spike = SpikeParameters()
    public var levelShift = LevelShiftParameters()
    public var variance = VarianceParameters()
    public var range = RangeParameters()
    public var seasonal = SeasonalParameters()
    /// The second calibration stage (`SurpriseCalibrator`); history 0 = off (plain Bonferroni).
    /// On for `default`, off for a list of named detectors unless set.
    public var likelihood = LikelihoodParameters()
    public var calibration = CalibrationParameters()
    /// Cap on readings held by a time window (`5m` on a 100 Hz tag would otherwise be 30,000).
    public var maxWindowSamples = WindowLength.defaultMaxSamples

    /// The combination for a sensor nobody has tuned: robust point outliers (`mad`), jumps
    /// (`spike`), bursts of noise (`variance`), steps and slow drift (`drift`, a CUSUM — the
    /// classic optimal step detector) and stuck values (`flatline`), each calibrated against
    /// the sensor's own history.
    /// `level_shift` is left out: against CUSUM it added false onsets on SKAB and caught no
    /// extra simulator fault, for 30 % more cost per reading (docs/DETECTION.md).
    /// `range` (beyond the all-time extremes) and `seasonal` (off the series' own daily or weekly
    /// cycle) are what real-world series outside a plant need; the combination's surprise is
    /// calibrated a second time against the series' own history (`likelihood`), so that the
    /// set is as quiet as its quietest member on periodic and heavy-tailed series.
    public static let defaultDetectors: [DetectorKind] = [.mad, .spike, .variance, .drift, .flatline, .range, .seasonal]

    /// The default combination with default parameters.
    public static let `default` = DetectorSpec(uncheckedDetectors: defaultDetectors, likelihood: true)

    private init(uncheckedDetectors: [DetectorKind], likelihood: Bool) {
        detectors = uncheckedDetectors
        if !likelihood {
            self.likelihood.history = 0
            self.likelihood.eventHalfLife = 0
        }
    }

    /// - Parameters:
    ///   - names: detector names (`DetectorKind.name` or an alias); `default` stands for
    ///     `defaultDetectors`. Order is kept, duplicates dropped.
    ///   - overrides: `detector.parameter` → value, the keys of `parameterKeys`.
    /// - Throws: `DetectorSpecError` naming the first bad name, key or value.
    public init(names: [String] = ["default"], overrides: [String: String] = [:]) throws(DetectorSpecError) {
        var kinds: [DetectorKind] = []
        var includesDefault = false
        for raw in names {
            let name = raw.trimmingSpaces.lowercased()
            let expanded: [DetectorKind]
            if name == "default" || name == "combined" {
                expanded = Self.defaultDetectors
                includesDefault = true
            } else if let k = DetectorKind(name: name) {
                expanded = [k]
            } else {
                throw .unknownDetector(name: raw, known: ["default"] + DetectorKind.allCases.map(\.name))
            }
            for k in expanded where !kinds.contains(k) { kinds.append(k) }
        }
        guard !kinds.isEmpty else { throw .emptySet }
        self.init(uncheckedDetectors: kinds, likelihood: includesDefault)
        // The cap first: window values parsed after it use it.
        if let cap = overrides["window.max_samples"] { try set("window.max_samples", cap) }
        for key in overrides.keys.sorted() where key != "window.max_samples" {
            try set(key, overrides[key]!)
        }
    }

    /// One parameter key, its default and what it means; the list `--help` and the docs print.
    public struct ParameterKey: Sendable, Hashable {
        public let key: String
        public let defaultValue: String
        public let meaning: String
    }

    /// Every key `set(_:_:)` accepts.
    public static let parameterKeys: [ParameterKey] = {
        let d = DetectorSpec.default
        return [
            .init(key: "zscore.window", defaultValue: d.zscore.window.description, meaning: "rolling window of mean and σ (readings, or a duration like 5m)"),
            .init(key: "zscore.min_samples", defaultValue: "\(d.zscore.minSamples)", meaning: "readings before scoring"),
            .init(key: "mad.window", defaultValue: d.mad.window.description, meaning: "rolling window of median and MAD"),
            .init(key: "mad.min_samples", defaultValue: "\(d.mad.minSamples)", meaning: "readings before scoring"),
            .init(key: "drift.span", defaultValue: "\(d.drift.span)", meaning: "readings of memory of the drift baseline"),
            .init(key: "drift.slack", defaultValue: "\(d.drift.slack)", meaning: "CUSUM slack k in σ; smaller shifts are ignored"),
            .init(key: "drift.min_samples", defaultValue: "\(d.drift.minSamples)", meaning: "readings before scoring"),
            .init(key: "flatline.tolerance", defaultValue: "\(d.flatline.tolerance)", meaning: "change below which a reading counts as unchanged (sensor units)"),
            .init(key: "flatline.min_samples", defaultValue: "\(d.flatline.minSamples)", meaning: "repeats before a run can score"),
            .init(key: "flatline.min_duration", defaultValue: DurationText.format(d.flatline.minDurationMilliseconds), meaning: "time a run must last before it can score"),
            .init(key: "flatline.min_runs", defaultValue: "\(d.flatline.minRuns)", meaning: "completed runs seen before judging a run"),
            .init(key: "spike.span", defaultValue: "\(d.spike.span)", meaning: "readings of memory of the typical change"),
            .init(key: "spike.min_samples", defaultValue: "\(d.spike.minSamples)", meaning: "readings before scoring"),
            .init(key: "level_shift.short", defaultValue: d.levelShift.short.description, meaning: "recent stretch whose median is compared"),
            .init(key: "level_shift.window", defaultValue: d.levelShift.window.description, meaning: "reference window before the recent stretch"),
            .init(key: "level_shift.min_samples", defaultValue: "\(d.levelShift.minSamples)", meaning: "reference readings before scoring"),
            .init(key: "variance.short", defaultValue: d.variance.short.description, meaning: "recent stretch whose typical (winsorized mean) change is compared"),
            .init(key: "variance.span", defaultValue: "\(d.variance.span)", meaning: "readings of memory of the typical change"),
            .init(key: "variance.min_samples", defaultValue: "\(d.variance.minSamples)", meaning: "readings before scoring"),
            .init(key: "range.min_samples", defaultValue: "\(d.range.minSamples)", meaning: "readings before the all-time range is trusted"),
            .init(key: "seasonal.short", defaultValue: "\(d.seasonal.short)", meaning: "recent readings whose mean error against the cycle is compared"),
            .init(key: "seasonal.min_periods", defaultValue: "\(d.seasonal.minPeriods)", meaning: "full days (weeks) seen before a daily (weekly) cycle is used"),
            .init(key: "likelihood.history", defaultValue: "\(d.likelihood.history)", meaning: "readings of memory of the combined surprise (0 = off; default set only)"),
            .init(key: "likelihood.prior_weight", defaultValue: "\(d.likelihood.priorWeight)", meaning: "pseudo-readings of the combined surprise's start-up prior"),
            .init(key: "likelihood.exponential_prior", defaultValue: d.likelihood.exponentialPrior ? "1" : "0", meaning: "1: exponential prior (surprise as under the null); 0: half-normal"),
            .init(key: "likelihood.event_half_life", defaultValue: "\(d.likelihood.eventHalfLife)", meaning: "tinsense score: readings of half-life of the event peak a score must exceed (0 = off; default set only)"),
            .init(key: "likelihood.record_weight", defaultValue: "\(d.likelihood.recordWeight)", meaning: "tinsense score: a record's own tail probability times this bypasses the second stage (0 = off)"),
            .init(key: "calibration.history", defaultValue: "\(d.calibration.history)", meaning: "readings of memory of each detector's deviation history"),
            .init(key: "calibration.prior_weight", defaultValue: "\(d.calibration.priorWeight)", meaning: "pseudo-readings of start-up prior (larger: calmer warm-up)"),
            .init(key: "calibration.anomaly_weight", defaultValue: "\(d.calibration.anomalyWeight)", meaning: "weight in history of deviations that were anomalous (0…1)"),
            .init(key: "window.max_samples", defaultValue: "\(d.maxWindowSamples)", meaning: "cap on readings held by a time window"),
        ]
    }()

    /// Sets one parameter from its text form.
    /// - Throws: `DetectorSpecError.unknownKey` or `.invalidValue` naming `key` and `value`.
    public mutating func set(_ key: String, _ value: String) throws(DetectorSpecError) {
        let k = key.trimmingSpaces.lowercased()
        // Accept the detector aliases as key prefixes too (`cusum.slack`, `step.short`).
        let normalized: String
        if let dot = k.firstIndex(of: "."), let kind = DetectorKind(name: String(k[..<dot])) {
            normalized = kind.name + k[dot...]
        } else {
            normalized = k
        }
        let v = value.trimmingSpaces
        func window() throws(DetectorSpecError) -> WindowLength {
            guard let w = WindowLength(parsing: v, maxSamples: maxWindowSamples) else {
                throw .invalidValue(key: key, value: value, expected: "a reading count 1…1000000 or a duration like 30s, 5m, 2h")
            }
            return w
        }
        func count(_ range: ClosedRange<Int>) throws(DetectorSpecError) -> Int {
            guard let n = Int(v), range.contains(n) else {
                throw .invalidValue(key: key, value: value, expected: "an integer in \(range.lowerBound)…\(range.upperBound)")
            }
            return n
        }
        func number(_ range: ClosedRange<Double>) throws(DetectorSpecError) -> Double {
            guard let x = Double(v), x.isFinite, range.contains(x) else {
                throw .invalidValue(key: key, value: value, expected: "a number in \(range.lowerBound)…\(range.upperBound)")
            }
            return x
        }
        func duration() throws(DetectorSpecError) -> Int64 {
            guard let ms = DurationText.milliseconds(v) else {
                throw .invalidValue(key: key, value: value, expected: "a duration like 0, 30s, 5m, 2h")
            }
            return ms
        }
        switch normalized {
        case "zscore.window": zscore.window = try window()
        case "zscore.min_samples": zscore.minSamples = try count(1...1_000_000)
        case "mad.window": mad.window = try window()
        case "mad.min_samples": mad.minSamples = try count(1...1_000_000)
        case "drift.span": drift.span = try count(2...10_000_000)
        case "drift.slack": drift.slack = try number(0...10)
        case "drift.min_samples": drift.minSamples = try count(1...1_000_000)
        case "flatline.tolerance": flatline.tolerance = try number(0...Double.greatestFiniteMagnitude)
        case "flatline.min_samples": flatline.minSamples = try count(1...10_000_000)
        case "flatline.min_duration": flatline.minDurationMilliseconds = try duration()
        case "flatline.min_runs": flatline.minRuns = try count(0...1_000_000)
        case "spike.span": spike.span = try count(2...10_000_000)
        case "spike.min_samples": spike.minSamples = try count(1...1_000_000)
        case "level_shift.short": levelShift.short = try window()
        case "level_shift.window": levelShift.window = try window()
        case "level_shift.min_samples": levelShift.minSamples = try count(1...1_000_000)
        case "variance.short": variance.short = try window()
        case "variance.span": variance.span = try count(2...10_000_000)
        case "variance.min_samples": variance.minSamples = try count(1...1_000_000)
        case "range.min_samples": range.minSamples = try count(1...1_000_000)
        case "seasonal.short": seasonal.short = try count(1...10_000)
        case "seasonal.min_periods": seasonal.minPeriods = try count(1...1_000)
        case "likelihood.history": likelihood.history = try count(0...100_000_000)
        case "likelihood.prior_weight": likelihood.priorWeight = try number(0...1_000_000)
        case "likelihood.exponential_prior": likelihood.exponentialPrior = try number(0...1) > 0
        case "likelihood.event_half_life": likelihood.eventHalfLife = try count(0...10_000_000)
        case "likelihood.record_weight": likelihood.recordWeight = try number(0...1_000_000)
        case "calibration.history": calibration.history = try count(16...100_000_000)
        case "calibration.prior_weight": calibration.priorWeight = try number(0...1_000_000)
        case "calibration.anomaly_weight": calibration.anomalyWeight = try number(0...1)
        case "window.max_samples": maxWindowSamples = try count(2...1_000_000)
        default:
            throw .unknownKey(key: key, known: Self.parameterKeys.map(\.key))
        }
    }

    /// A fresh per-sensor detector state running this set.
    public func makeDetector() -> SensorDetector { SensorDetector(spec: self) }
}

/// What a sensor's detector set says about one reading.
///
/// `score` is the combination the alert rules compare with their threshold; the per-detector
/// probabilities are kept so that the alert log can say which detector fired and `tinsense
/// score --detector` can be compared with the combination.
public struct DetectionResult: Sendable {
    /// Combined score in [0, 1] (see `AnomalyScore`).
    public var score: Double
    /// Combined tail probability: the smallest detector probability × the number of detectors
    /// (Bonferroni), so running more detectors does not raise the false-alarm rate.
    public var tailProbability: Double
    /// The detector with the smallest tail probability, and its explanation.
    public var reason: DetectionReason
    /// Tail probability per detector; 1 for detectors not in the set or still warming up.
    public var detectorProbabilities: DetectorProbabilities

    public var detector: DetectorKind { reason.detector }

    /// This reading's score from one detector alone (0 if it is not in the set).
    public func score(of kind: DetectorKind) -> Double {
        AnomalyScore.fromTailProbability(detectorProbabilities[kind])
    }
}

/// One tail probability per `DetectorKind`, stored inline (no allocation per reading).
public struct DetectorProbabilities: Sendable, Hashable {
    private var zscore = 1.0, mad = 1.0, drift = 1.0, flatline = 1.0, spike = 1.0, levelShift = 1.0, variance = 1.0, range = 1.0, seasonal = 1.0

    public init() {}

    public subscript(kind: DetectorKind) -> Double {
        get {
            switch kind {
            case .zscore: zscore
            case .mad: mad
            case .drift: drift
            case .flatline: flatline
            case .spike: spike
            case .levelShift: levelShift
            case .variance: variance
            case .range: range
            case .seasonal: seasonal
            }
        }
        set {
            switch kind {
            case .zscore: zscore = newValue
            case .mad: mad = newValue
            case .drift: drift = newValue
            case .flatline: flatline = newValue
            case .spike: spike = newValue
            case .levelShift: levelShift = newValue
            case .variance: variance = newValue
            case .range: range = newValue
            case .seasonal: seasonal = newValue
            }
        }
    }
}

/// The smallest spread a detector may divide by, learned from the signal itself.
///
/// A quantised or idle signal has a rolling σ or MAD of exactly 0, and dividing by it would
/// turn the first one-step change into an infinite deviation. The floor is half the finest
/// step the sensor has ever shown (its resolution), or a part in 10⁹ of its magnitude, so it
/// is in the sensor's own units without anyone configuring it.
struct ScaleFloor {
    private(set) var resolution = Double.infinity
    private var last = Double.nan

    mutating func observe(_ value: Double) {
        let d = abs(value - last)
        if d > 0 && d < resolution { resolution = d }
        last = value
    }

    /// The floor to use for readings around `value`.
    @inline(__always)
    func floor(near value: Double) -> Double {
        let relative = 1e-9 * abs(value) + 1e-12
        guard resolution.isFinite else { return relative }
        return max(0.5 * resolution, relative)
    }
}

/// What one detector says about one reading: a tail probability (1 = nothing unusual) and why.
public struct DetectorOutput: Sendable {
    public var tailProbability: Double
    public var reason: DetectionReason

    @inline(__always)
    static func quiet(_ kind: DetectorKind, _ value: Double) -> DetectorOutput {
        DetectorOutput(tailProbability: 1, reason: DetectionReason(detector: kind, observed: value, expected: value, statistic: 0))
    }
}

/// The one scale every detector reports on: a tail probability turned into a score in [0, 1].
///
/// A detector first answers "how unusual is this, against this sensor's own recent past?"
/// as a tail probability `p` (the chance of a deviation at least this large in normal
/// operation). The score is the surprise `S = −log10 p` squashed as `S / (S + 5)`:
///
/// | p        | score |
/// |----------|-------|
/// | 0.5      | 0.06  |
/// | 10⁻²     | 0.29  |
/// | 10⁻³     | 0.38  |
/// | 10⁻⁵     | 0.50  |
/// | 10⁻⁸     | 0.62  |
/// | 10⁻¹⁵    | 0.75  |
///
/// so a plant-wide threshold of 0.5 means "one reading in 100,000 of normal operation scores
/// this high" on every sensor, whatever its units, noise or cadence. The map never reaches 1
/// for finite surprise, which keeps large anomalies ranked among themselves (no saturation).
public enum AnomalyScore {
    /// Surprise (in decades) that maps to score 0.5.
    public static let halfScoreSurprise = 5.0

    /// Score for a tail probability `p` in (0, 1].
    @inline(__always)
    public static func fromTailProbability(_ p: Double) -> Double {
        guard p < 1 else { return 0 }
        let s = -Math.log10(p > 1e-300 ? p : 1e-300)
        return s / (s + halfScoreSurprise)
    }

    /// The tail probability a score stands for (inverse of `fromTailProbability`).
    public static func tailProbability(forScore score: Double) -> Double {
        guard score > 0 else { return 1 }
        guard score < 1 else { return 0 }
        let s = halfScoreSurprise * score / (1 - score)
        return Math.pow(10, -s)
    }
}

/// Small-sample correction of a standardised deviation.
///
/// A deviation divided by a spread *estimated* from ν readings' worth of data is not a
/// standard-normal deviate but roughly a Student-t one with ν degrees of freedom: its tails are
/// far heavier while ν is small (ν = 2: a "10 σ" deviation has a tail probability of about
/// 10⁻², not 10⁻²³). A detector that has seen 10 readings, or a slow analyzer with a few
/// hundred a day, would otherwise flag the noise of its own spread estimate. The statistic is
/// therefore mapped to the normal deviate of about the same tail probability (Wallace 1959):
/// `z = √(ν · ln(1 + t²/ν))`. The map is monotone, `z ≈ t` for small t or large ν, and it
/// leaves each sensor's calibration to do the rest.
enum SmallSample {
    @inline(__always)
    static func equivalentNormal(_ t: Double, degreesOfFreedom nu: Double) -> Double {
        // Beyond 10¹⁵⁰ t² overflows: ln(1 + t²/ν) is 2 ln t − ln ν to within 10⁻²⁹⁰ there.
        if t > 1e150 { return (nu * (2 * Math.log(t) - Math.log(nu))).squareRoot() }
        let x = t * t / nu
        // z/t = √(ln(1 + x)/x) = 1 − x/4 + 13x²/96 − 35x³/384 + …: no libm call on the
        // common path (the next term is below 10⁻⁸ of t for x < 0.02).
        if x < 0.02 { return t * (1 - x * (0.25 - x * (13.0 / 96 - x * (35.0 / 384)))) }
        return (nu * Math.log(1 + x)).squareRoot()
    }
}

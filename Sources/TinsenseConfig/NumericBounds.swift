/// The one gate every numeric config value passes before anything converts or multiplies it:
/// finite, and within the key's range. `Int64(period_s * 1000)` of `nan`, `inf` or `1e300`
/// traps (`Illegal instruction`), and so does `stats_interval_s * 1000` of a huge integer;
/// checked here, each becomes a FILE:LINE: KEY issue and check-config/run exit 2.
///
/// Keys that name no maximum get `NumericBounds.ceiling`: a second, millisecond or byte count
/// up to 10^12 still fits an `Int64` after `* 1000` (and a `UInt32` never sees one: those keys
/// name their own maximum).
enum NumericBounds {
    /// The largest value of a key that states no maximum.
    static let ceiling = 1e12

    /// Why `x` is not an acceptable value in `lo...hi`, or nil.
    static func problem(_ x: Double, min lo: Double?, max hi: Double?) -> String? {
        guard x.isFinite else { return "\(x) is not a finite number" }
        if let lo, x < lo { return "\(NumericBounds.text(x)) is below the minimum \(NumericBounds.text(lo))" }
        let top = hi ?? ceiling
        if x > top { return "\(NumericBounds.text(x)) is above the maximum \(NumericBounds.text(top))" }
        return nil
    }

    /// Why the integer `n` is not acceptable in `lo...hi`, or nil (no conversion to Double
    /// first: 2^63 - 1 would round).
    static func problem(_ n: Int, min lo: Int?, max hi: Int?) -> String? {
        if let lo, n < lo { return "\(n) is below the minimum \(lo)" }
        let top = hi ?? Int(ceiling)
        if n > top { return "\(n) is above the maximum \(top)" }
        return nil
    }

    /// `5` rather than `5.0` for whole numbers of a sane size, as an operator wrote them.
    static func text(_ x: Double) -> String {
        if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
        return "\(x)"
    }
}

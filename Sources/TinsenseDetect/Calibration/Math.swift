#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The few libm functions detection needs, behind one name so detector files stay free of
/// platform imports (and of Foundation, which this pure module does not use).
enum Math {
    @inline(__always) static func exp(_ x: Double) -> Double { libmExp(x) }
    @inline(__always) static func log10(_ x: Double) -> Double { libmLog10(x) }
    @inline(__always) static func log(_ x: Double) -> Double { libmLog(x) }
    @inline(__always) static func pow(_ x: Double, _ y: Double) -> Double { libmPow(x, y) }
    @inline(__always) static func erfc(_ x: Double) -> Double { libmErfc(x) }

    /// P(|Z| ≥ z) for a standard normal Z.
    static func twoSidedGaussianTail(_ z: Double) -> Double { libmErfc(Swift.abs(z) / 2.0.squareRoot()) }
}

// The C library's free functions under names that do not collide with `Math`'s members.
@inline(__always) private func libmExp(_ x: Double) -> Double { exp(x) }
@inline(__always) private func libmLog10(_ x: Double) -> Double { log10(x) }
@inline(__always) private func libmLog(_ x: Double) -> Double { log(x) }
@inline(__always) private func libmPow(_ x: Double, _ y: Double) -> Double { pow(x, y) }
@inline(__always) private func libmErfc(_ x: Double) -> Double { erfc(x) }

/// The weight of the newest observation in a running mean that becomes an EWMA of span
/// `span`: 1/n for the first `span` observations, then 1/span — without a division per
/// reading once the mean is warm.
struct WarmingRate {
    private let span: Int
    private let steady: Double

    init(span: Int) {
        self.span = max(1, span)
        steady = 1 / Double(self.span)
    }

    /// The rate for the `n`-th observation (n ≥ 1).
    @inline(__always)
    func rate(_ n: Int) -> Double { n >= span ? steady : 1 / Double(max(1, n)) }
}

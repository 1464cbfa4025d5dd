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
    @inline(__always) static func pow(_ x: Double, _ y: Double) -> Double { libmPow(x, y) }
    @inline(__always) static func erfc(_ x: Double) -> Double { libmErfc(x) }

    /// P(|Z| ≥ z) for a standard normal Z.
    static func twoSidedGaussianTail(_ z: Double) -> Double { libmErfc(Swift.abs(z) / 2.0.squareRoot()) }
}

// The C library's free functions under names that do not collide with `Math`'s members.
@inline(__always) private func libmExp(_ x: Double) -> Double { exp(x) }
@inline(__always) private func libmLog10(_ x: Double) -> Double { log10(x) }
@inline(__always) private func libmPow(_ x: Double, _ y: Double) -> Double { pow(x, y) }
@inline(__always) private func libmErfc(_ x: Double) -> Double { erfc(x) }

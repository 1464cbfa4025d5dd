#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A small, fast, seedable pseudo-random generator (Steele, Lea & Flood's SplitMix64).
///
/// The simulator must produce the same plant for the same seed on every machine and every
/// Swift release, so it never touches the system generator; SplitMix64 is fully specified
/// by its few lines and passes BigCrush, which is plenty for noise and fault placement.
/// It lives in Core (pure: no I/O, no clock) because the tests of every module draw their
/// reproducible cases from the same generator.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform draw in [0, 1) with 53 random bits.
    public mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A standard normal draw (Box–Muller) from two uniforms. Always consumes exactly two
    /// draws so that callers can keep per-sample draw counts fixed.
    public mutating func nextGaussian() -> Double {
        let u1 = max(nextUnit(), 0x1.0p-53)
        let u2 = nextUnit()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// A generator for one named part of the plant, independent of every other part, so
    /// adding a sensor or a fault does not reshuffle the noise of the others.
    public static func derived(from seed: UInt64, name: String) -> SplitMix64 {
        // FNV-1a over the name, then mixed with the seed through one SplitMix step.
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in name.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        var mixer = SplitMix64(seed: seed ^ hash)
        return SplitMix64(seed: mixer.next())
    }
}

import Foundation
import TinsenseCore

/// Draw helpers on the one seeded generator, for tests that build random cases
/// (payloads, series) that must be the same on every run.
extension SplitMix64 {
    /// A generator whose state starts one golden-ratio step past `seed`. The detector tests'
    /// seeds and expected counts were chosen on this sequence, so they keep it.
    package init(steppedSeed seed: UInt64) {
        self.init(seed: seed &+ 0x9E37_79B9_7F4A_7C15)
    }

    /// A uniform integer in `range`.
    package mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }

    /// True with probability `p`.
    package mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &self) < p }

    /// One of `options`, uniformly.
    package mutating func pick<T>(_ options: [T]) -> T { options[int(0...(options.count - 1))] }

    /// A standard normal draw (Box–Muller) from the standard library's uniform doubles.
    /// Unlike `nextGaussian()` (the simulator's, fixed to two raw draws) this is the sequence
    /// the detector tests were calibrated on.
    package mutating func standardNormal() -> Double {
        let u1 = Double.random(in: Double.ulpOfOne..<1, using: &self)
        let u2 = Double.random(in: 0..<1, using: &self)
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}

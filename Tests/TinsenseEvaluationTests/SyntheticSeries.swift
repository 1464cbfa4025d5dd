/// Deterministic synthetic signals for the evaluation tests, the same generator as
/// TinsenseDetectTests/SyntheticSeries.swift (test targets cannot share files; both go to
/// the shared test-support target once it exists).
import Foundation
import TinsenseCore
import TinsenseDetect

struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A standard normal draw (Box–Muller).
    mutating func gaussian() -> Double {
        let u1 = Double.random(in: Double.ulpOfOne..<1, using: &self)
        let u2 = Double.random(in: 0..<1, using: &self)
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}

/// Gaussian noise around `level` with σ `sigma`.
func noise(count: Int, level: Double = 50, sigma: Double = 1, seed: UInt64 = 1) -> [Double] {
    var rng = SeededRandom(seed: seed)
    return (0..<count).map { _ in level + sigma * rng.gaussian() }
}

/// Runs `values` (at `intervalMs`) through a detector built from `names`, returns the scores.
func scores(_ values: [Double], names: [String], overrides: [String: String] = [:], intervalMs: Int64 = 1000,
            start: Int64 = 1_700_000_000_000) throws -> [DetectionResult] {
    var detector = try DetectorSpec(names: names, overrides: overrides).makeDetector()
    return values.enumerated().map { i, v in
        detector.observe(time: Timestamp(millisecondsSinceEpoch: start + Int64(i) * intervalMs), value: v)
    }
}

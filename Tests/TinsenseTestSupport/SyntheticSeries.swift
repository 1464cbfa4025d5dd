/// Deterministic synthetic signals for detector and evaluation tests (seeded, so every run
/// sees the same noise), and a helper that feeds a series through a detector set.
import Foundation
import TinsenseCore
import TinsenseDetect

/// Gaussian noise around `level` with σ `sigma`.
package func noise(count: Int, level: Double = 50, sigma: Double = 1, seed: UInt64 = 1) -> [Double] {
    var rng = SplitMix64(steppedSeed: seed)
    return (0..<count).map { _ in level + sigma * rng.standardNormal() }
}

/// Runs `values` (at `intervalMs`) through a detector built from `names`, returns the scores.
package func scores(
    _ values: [Double], names: [String], overrides: [String: String] = [:], intervalMs: Int64 = 1000,
    start: Int64 = 1_700_000_000_000
) throws -> [DetectionResult] {
    var detector = try DetectorSpec(names: names, overrides: overrides).makeDetector()
    return values.enumerated().map { i, v in
        detector.observe(time: Timestamp(millisecondsSinceEpoch: start + Int64(i) * intervalMs), value: v)
    }
}

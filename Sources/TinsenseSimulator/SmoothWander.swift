#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TinsenseCore

/// Slow process wander in [-1, 1]: a weighted sum of three sinusoids with periods of 15 to
/// 90 minutes and seeded phases.
///
/// A pure function of time (not a random walk) so that a value at any instant, including a
/// delayed or averaged one, is cheap to compute and identical however the caller steps
/// through time. Its steepest slope is 2π/900 s ≈ 0.007 per second, far below every
/// sensor's `max_rate`.
struct SmoothWander: Sendable, Hashable {
    private var weights: [Double] = []
    private var angularFrequencies: [Double] = []
    private var phases: [Double] = []

    init(generator: inout SplitMix64) {
        var raw: [Double] = []
        for _ in 0..<3 {
            raw.append(0.2 + generator.nextUnit())
            let periodSeconds = 900 + generator.nextUnit() * 4500
            angularFrequencies.append(2 * Double.pi / periodSeconds)
            phases.append(2 * Double.pi * generator.nextUnit())
        }
        let total = raw.reduce(0, +)
        weights = raw.map { $0 / total }
    }

    /// The wander at `seconds` after the simulation start.
    func value(atSeconds seconds: Double) -> Double {
        var sum = 0.0
        for k in weights.indices {
            sum += weights[k] * sin(angularFrequencies[k] * seconds + phases[k])
        }
        return sum
    }
}

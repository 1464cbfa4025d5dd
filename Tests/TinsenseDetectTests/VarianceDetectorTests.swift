import Testing
@testable import TinsenseDetect
import TinsenseCore
import TinsenseTestSupport

/// `variance` on synthetic series with known answers: a noise burst must cross the plant
/// threshold within a short window; noise alone, spikes, steps and a *fall* in noise must not.
@Suite("variance detector")
struct VarianceDetectorTests {
    static let threshold = 0.5

    @Test("a 5× noise burst crosses 0.5 within 50 readings; steady noise stays quiet")
    func noiseBurst() throws {
        var values = noise(count: 2100, sigma: 1, seed: 31)
        var rng = SplitMix64(steppedSeed: 32)
        for i in 2000..<2100 { values[i] = 50 + 5 * rng.standardNormal() }
        let r = try scores(values, names: ["variance"])
        let first = (2000..<2100).first { r[$0].score >= Self.threshold }
        #expect(first != nil && first! < 2050, "first crossing at \(String(describing: first))")
        #expect(r[first ?? 2000].detector == .variance)
        let quiet = r[100..<2000].filter { $0.score >= Self.threshold }.count
        #expect(Double(quiet) / 1900 < 0.002)
    }

    @Test("a spike and a step are not a rise in noise (winsorized mean of changes)")
    func spikeAndStepAreNotNoise() throws {
        var values = noise(count: 2400, sigma: 1, seed: 33)
        values[1500] += 30
        for i in 1800..<2400 { values[i] += 15 }
        let r = try scores(values, names: ["variance"])
        #expect(r[1490..<1530].allSatisfy { $0.score < Self.threshold })
        #expect(r[1790..<1830].allSatisfy { $0.score < Self.threshold })
    }

    @Test("a fall in noise does not score")
    func fallIsQuiet() throws {
        var values = noise(count: 2500, sigma: 1, seed: 34)
        for i in 2000..<2500 { values[i] = 50 + 0.2 * (values[i] - 50) }
        let r = try scores(values, names: ["variance"])
        #expect(r[2000..<2500].allSatisfy { $0.score < Self.threshold })
    }

    @Test("scores do not depend on units (a + b·series)")
    func unitFree() throws {
        var values = noise(count: 1500, sigma: 1, seed: 35)
        for i in 1300..<1400 { values[i] = 50 + 5 * (values[i] - 50) }
        let a = try scores(values, names: ["variance"])
        let b = try scores(values.map { 1000 + 0.01 * $0 }, names: ["variance"])
        for i in 0..<values.count { #expect(abs(a[i].score - b[i].score) < 1e-6) }
    }

    @Test("names, aliases and parameters")
    func spec() throws {
        #expect(DetectorKind(name: "noise") == .variance)
        let s = try DetectorSpec(names: ["volatility"], overrides: ["variance.short": "9", "noise.span": "300"])
        #expect(s.detectors == [.variance])
        #expect(s.variance.short == .samples(9))
        #expect(s.variance.span == 300)
        #expect(DetectorSpec.defaultDetectors == [.mad, .spike, .variance, .drift, .flatline, .range, .seasonal])
        #expect(DetectorSpec.default.variance.minSamples == 30)
    }

    @Test("not judged before min_samples changes; a young sensor's ordinary noise stays quiet", arguments: [UInt64(1), 2, 3, 4, 5, 6, 7, 8, 9, 10])
    func warmUp(seed: UInt64) throws {
        var values = noise(count: 1600, sigma: 1, seed: 360 + seed)
        var rng = SplitMix64(steppedSeed: 370 + seed)
        for i in 10..<25 { values[i] = 50 + 5 * rng.standardNormal() }    // a burst inside the first 30 changes
        for i in 1500..<1560 { values[i] = 50 + 5 * rng.standardNormal() }  // and one later
        let r = try scores(values, names: ["variance"])
        #expect(r[0...30].allSatisfy { $0.score == 0 })
        // The prior at the ratio's own scale: no false alarm while the history is young.
        #expect(r[31..<1500].allSatisfy { $0.score < Self.threshold }, "max \(r[31..<1500].map(\.score).max()!)")
        #expect(r[1500..<1560].contains { $0.score >= Self.threshold })
    }

    @Test("in the default set a noise burst alerts, and the set's spike detector shares the same change")
    func inDefaultSet() throws {
        var values = noise(count: 3000, sigma: 1, seed: 38)
        var rng = SplitMix64(steppedSeed: 39)
        for i in 2500..<2560 { values[i] = 50 + 6 * rng.standardNormal() }
        let r = try scores(values, names: ["default"])
        #expect(r[2500..<2560].contains { $0.score >= Self.threshold && $0.detector == .variance })
        #expect(r[400..<2500].filter { $0.score >= Self.threshold }.count <= 2)
    }
}

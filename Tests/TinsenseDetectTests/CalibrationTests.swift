import Testing
@testable import TinsenseDetect
import TinsenseCore
import TinsenseTestSupport

@Suite("score calibration")
struct CalibrationTests {
    @Test("tail probabilities learned from half-normal history match the Gaussian tail in the bulk")
    func empiricalTailMatchesGaussian() {
        var calibrator = TailCalibrator(historyLength: 20_000, priorWeight: 0)
        var rng = SplitMix64(steppedSeed: 11)
        for _ in 0..<20_000 { calibrator.record(abs(rng.standardNormal())) }
        for z in [0.5, 1.0, 1.5, 2.0] {
            let p = calibrator.tailProbability(of: z)
            let truth = Math.twoSidedGaussianTail(z)
            #expect(abs(p - truth) / truth < 0.1, "z=\(z) p=\(p) truth=\(truth)")
        }
    }

    @Test("beyond anything seen the probability keeps falling, so larger deviations rank higher")
    func tailIsMonotoneBeyondHistory() {
        var calibrator = TailCalibrator(historyLength: 2000)
        var rng = SplitMix64(steppedSeed: 12)
        for _ in 0..<5000 { calibrator.record(abs(rng.standardNormal())) }
        var previous = 1.0
        for r in stride(from: 0.0, through: 60, by: 0.25) {
            let p = calibrator.tailProbability(of: r)
            #expect(p <= previous && p > 0, "r=\(r)")
            previous = p
        }
        #expect(calibrator.tailProbability(of: 8) < 1e-5)
    }

    @Test("score 0.5 means tail probability 1e-5, and the map inverts")
    func scoreScale() {
        #expect(abs(AnomalyScore.fromTailProbability(1e-5) - 0.5) < 1e-12)
        #expect(AnomalyScore.fromTailProbability(1) == 0)
        for s in [0.1, 0.3, 0.5, 0.9] {
            #expect(abs(AnomalyScore.fromTailProbability(AnomalyScore.tailProbability(forScore: s)) - s) < 1e-9)
        }
    }

    @Test("scores do not depend on the sensor's units or offset")
    func unitFree() throws {
        let base = noise(count: 1500, level: 0, sigma: 1, seed: 5)
        var spiky = base
        spiky[1000] += 9
        let a = try scores(spiky.map { 20 + 0.5 * $0 }, names: ["default"]).map(\.score)
        let b = try scores(spiky.map { 9000 + 250 * $0 }, names: ["default"]).map(\.score)
        for i in a.indices { #expect(abs(a[i] - b[i]) < 1e-6, "i=\(i)") }
    }

    @Test("one gross anomaly enters history capped, so the sensor's next, smaller anomaly still stands out")
    func grossAnomalyDoesNotMaskTheNext() {
        var calibrator = TailCalibrator(historyLength: 2000)
        var rng = SplitMix64(steppedSeed: 13)
        for _ in 0..<3000 { _ = calibrator.calibrate(abs(rng.standardNormal())) }
        let before = calibrator.tailProbability(of: 8)
        #expect(before < 1e-6)
        // A reading at 110 % of the span: ten thousand σ. Flagged, and learned only as "just
        // anomalous" (uncapped, its tenth of a reading would stretch the fitted tail's mean
        // excess by ~25 σ and put p(8σ) near 10⁻²).
        #expect(calibrator.calibrate(10_000) < 1e-12)
        for _ in 0..<200 { _ = calibrator.calibrate(abs(rng.standardNormal())) }
        let after = calibrator.tailProbability(of: 8)
        #expect(after < 1e-5, "p(8σ) after a gross anomaly: \(after)")
        #expect(after / before < 100)
    }
}

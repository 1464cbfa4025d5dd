import Foundation
import Testing
@testable import TinsenseDetect
import TinsenseCore
import TinsenseTestSupport

/// The detectors for real-world series (`range`, `seasonal`), the second calibration stage
/// and the event suppressor, on synthetic series with known answers.
@Suite("series detectors")
struct SeriesDetectorTests {
    static let threshold = 0.5
    static let fiveMinutes: Int64 = 300_000
    static let perDay = 288

    /// A daily sine at 5-minute cadence, `days` long, with a little noise.
    static func dailyCycle(days: Int, noiseLevel: Double = 0.2, seed: UInt64 = 1) -> [Double] {
        var rng = SplitMix64(steppedSeed: seed)
        return (0..<(days * perDay)).map { i in
            100 + 20 * sin(2 * Double.pi * Double(i) / Double(perDay)) + noiseLevel * rng.standardNormal()
        }
    }

    /// Scores as `tinsense score` prints them (`SeriesScorer`: detector set, second stage, events).
    static func seriesScores(_ values: [Double], intervalMs: Int64 = fiveMinutes) -> [Double] {
        var scorer = SeriesScorer(spec: .default)
        return values.enumerated().map { i, v in
            scorer.score(time: Timestamp(millisecondsSinceEpoch: 1_700_000_000_000 + Int64(i) * intervalMs), value: v)
        }
    }

    @Test("range: a reading beyond the all-time maximum scores; the same value inside the range does not")
    func rangeExtension() throws {
        var values = noise(count: 3000, sigma: 1, seed: 41)
        values[2500] = 80  // 30 σ above: far beyond anything seen
        let r = try scores(values, names: ["range"])
        #expect(r[2500].score >= Self.threshold)
        #expect(r[2500].detector == .range)
        let late = r[1500..<3000].enumerated().filter { $0.offset + 1500 != 2500 && $0.element.score >= Self.threshold }
        #expect(late.isEmpty, "\(late.count) late alarms")
    }

    @Test("range: a trend that sets a record every day teaches its calibrator that records are normal")
    func rangeTrendIsQuiet() throws {
        let values = (0..<4000).map { i in Double(i) * 0.01 + sin(Double(i) / 30) }
        let r = try scores(values, names: ["range"])
        #expect(r[1000..<4000].allSatisfy { $0.score < Self.threshold })
    }

    @Test("a clean daily cycle raises no alert after its first cycles (tinsense score, default)")
    func cleanCycleIsQuiet() {
        let r = Self.seriesScores(Self.dailyCycle(days: 14))
        let loud = r[(3 * Self.perDay)...].filter { $0 >= Self.threshold }.count
        #expect(loud == 0, "\(loud) readings ≥ 0.5 after day 3")
    }

    @Test("a noise-free square wave raises no alert after its first cycles (tinsense score, default)")
    func squareWaveIsQuiet() {
        let values = (0..<(14 * Self.perDay)).map { i in (i % Self.perDay) < Self.perDay / 2 ? 10.0 : 0.0 }
        let r = Self.seriesScores(values)
        let loud = r[(3 * Self.perDay)...].filter { $0 >= Self.threshold }.count
        #expect(loud == 0, "\(loud) readings ≥ 0.5 after day 3")
    }

    @Test("a clean daily cycle gives the daemon's default set nothing to alert on after its first days")
    func cleanCycleDaemon() throws {
        let r = try scores(Self.dailyCycle(days: 14), names: ["default"], intervalMs: Self.fiveMinutes)
        let loud = r[(3 * Self.perDay)...].filter { $0.score >= Self.threshold }.count
        #expect(loud <= 2, "\(loud) readings ≥ 0.5 after day 3")
    }

    @Test("seasonal: a missing cycle inside the normal range is found within a quarter day")
    func missingCycle() throws {
        var values = Self.dailyCycle(days: 12, noiseLevel: 0.5, seed: 42)
        let start = 9 * Self.perDay + Self.perDay / 8
        for i in start..<(start + Self.perDay) { values[i] = 100 + 0.5 * sin(Double(i)) }  // flat: no cycle
        let r = try scores(values, names: ["seasonal"], intervalMs: Self.fiveMinutes)
        let first = (start..<(start + Self.perDay)).first { r[$0].score >= Self.threshold }
        #expect(first != nil && first! < start + Self.perDay / 4, "first at \(String(describing: first))")
        let before = r[(3 * Self.perDay)..<start].filter { $0.score >= Self.threshold }.count
        #expect(before == 0)
    }

    @Test("seasonal: stays silent on a series without a cycle, and on a 1 Hz tag")
    func noCycleNoScore() throws {
        let walk = noise(count: 6000, sigma: 1, seed: 43)
        let r5 = try scores(walk, names: ["seasonal"], intervalMs: Self.fiveMinutes)
        #expect(r5.allSatisfy { $0.score == 0 })
        let r1 = try scores(walk, names: ["seasonal"], intervalMs: 1000)
        #expect(r1.allSatisfy { $0.score == 0 })
    }

    @Test("heavy-tailed counts with 10× shocks in normal operation: a handful of alarms at most (tinsense score)")
    func heavyTailCalibrated() {
        var rng = SplitMix64(steppedSeed: 44)
        let values = (0..<6000).map { _ in (5 * Foundation.exp(1.0 * rng.standardNormal())).rounded() }
        let r = Self.seriesScores(values)
        let loud = r[1000...].filter { $0 >= Self.threshold }.count
        #expect(loud <= 3, "\(loud) readings ≥ 0.5 on 5000 normal readings")
    }

    @Test("the second stage: a series whose detectors cry 10⁻⁶ every day learns that this is its normal")
    func secondStageLearns() {
        var stage = SurpriseCalibrator(LikelihoodParameters())
        // Every 100th reading the detector set says 1e-6; the rest is null-like.
        var late: [Double] = []
        var rng = SplitMix64(steppedSeed: 45)
        for i in 0..<20_000 {
            let p = i % 100 == 0 ? 1e-6 : max(1e-3, Double(rng.next() >> 11) / 9_007_199_254_740_992.0)
            let p2 = stage.calibrate(p)
            if i % 100 == 0 && i >= 10_000 { late.append(p2) }
        }
        #expect(late.allSatisfy { $0 > 1e-3 }, "largest late surprise \(late.min() ?? 1)")
    }

    @Test("a record far beyond a heavy-tailed series' settled range scores past the second stage (likelihood.record_weight)")
    func recordPassesSecondStage() throws {
        var rng = SplitMix64(steppedSeed: 46)
        var values = (0..<6000).map { _ in (5 * Foundation.exp(1.0 * rng.standardNormal())).rounded() }
        let top = values.max()!
        values[5500] = top + 3 * (top - values.min()!)  // three ranges beyond the all-time maximum
        func printed(_ spec: DetectorSpec) -> [Double] {
            var scorer = SeriesScorer(spec: spec)
            return values.enumerated().map { i, v in
                scorer.score(time: Timestamp(millisecondsSinceEpoch: 1_700_000_000_000 + Int64(i) * Self.fiveMinutes), value: v)
            }
        }
        let with = printed(.default)
        let without = printed(try DetectorSpec(names: ["default"], overrides: ["likelihood.record_weight": "0"]))
        #expect(with[5500] >= Self.threshold, "record scored \(with[5500])")
        #expect(with[5500] >= without[5500])
        // Outside records the printed scores differ only through the event suppressor's peak.
        let beforeRecord = (1000..<5500).filter { with[$0] >= Self.threshold }.count
        #expect(beforeRecord <= 3, "\(beforeRecord) readings ≥ 0.5 on 4500 normal readings")
        #expect(DetectorSpec.default.likelihood.recordWeight == 3)
    }

    @Test("event suppressor: a long anomaly crosses once; a later, larger one crosses again")
    func suppressor() {
        var s = EventSuppressor(halfLife: 50)
        let quiet = (0..<100).map { _ in s.filter(0.1) }
        let plateau = (0..<40).map { _ in s.filter(0.7) }
        let larger = s.filter(0.9)
        #expect(quiet.allSatisfy { $0 <= 0.1 })
        #expect(plateau[0] == 0.7)
        #expect(plateau.dropFirst().allSatisfy { $0 < 0.5 })
        #expect(larger == 0.9)
    }

    @Test("names, aliases and parameters of the new detectors")
    func spec() throws {
        #expect(DetectorKind(name: "record") == .range)
        #expect(DetectorKind(name: "cycle") == .seasonal)
        let s = try DetectorSpec(names: ["seasonal"], overrides: ["seasonal.short": "6", "range.min_samples": "5"])
        #expect(s.seasonal.short == 6 && s.range.minSamples == 5)
        #expect(s.likelihood.history == 0, "named sets run plain Bonferroni")
        #expect(DetectorSpec.default.likelihood.history > 0)
        let d = try DetectorSpec(names: ["default"], overrides: ["likelihood.history": "0"])
        #expect(d.likelihood.history == 0)
    }
}

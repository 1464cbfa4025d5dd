import Testing
@testable import TinsenseDetect
import TinsenseCore
import TinsenseTestSupport

/// The compact storage of `mad`'s windows and of the calibrators' bins (docs/PERFORMANCE.md
/// "Memory per sensor"): what it rounds, and by how much at most.
@Suite("compact detector state")
struct MADMemoryTests {
    /// A signal far from zero (a pressure in Pa), with a level shift and a drift, through a
    /// `Float` window relative to its moving origin and an exact `Double` one.
    ///
    /// A key is rounded when it enters (to a part in 2²⁴ of its distance from the origin of
    /// that time, a median of the readings so far or of a window's worth of them) and again at
    /// each origin move; a rounding is never undone. So the bound is in the spread of the
    /// readings of the last three windows, plus — when the very first reading is an outlier, the
    /// window's first origin — that outlier's distance, until what entered against it leaves.
    @Test("a relative Float-keyed window's median is within a few parts in 2^24 of the window's range of the exact median, across origin moves",
          arguments: [false, true])
    func relativeFloatMedianIsClose(outlierFirst: Bool) {
        for length in [WindowLength.samples(7), .samples(500), .duration(milliseconds: 120_000, maxSamples: 300)] {
            var exact = RollingMedian(length)
            var compact = IndexedMedian<Float, UInt16>(length, relative: true)
            var rng = SplitMix64(steppedSeed: 91)
            var all: [Double] = []
            var worst = 0.0
            for i in 0..<6000 {
                var v = 101_325 + 0.01 * rng.standardNormal()
                if i >= 2000 { v += 37.5 }                       // a level shift
                if i >= 4000 { v += 0.002 * Double(i - 4000) }   // a drift
                if i % 997 == 500 || (outlierFirst && i == 0) { v += 5_000 }   // a spike now and then
                all.append(v)
                exact.append(time: Int64(i) * 1000, value: v)
                compact.append(time: Int64(i) * 1000, value: v)
                #expect(compact.count == exact.count)
                // A key entered at most a window ago, against the median of a window that ended
                // at most a window before: a distance of at most the range of the last three
                // windows' readings, rounded twice.
                let recent = all.suffix(3 * length.capacity + 1)
                let range = recent.max()! - recent.min()!
                let firstOutlier = outlierFirst && i < 3 * length.capacity ? 5_000.0 : 0
                let error = abs(compact.median - exact.median)
                #expect(error <= 4 * (range + firstOutlier) / 16_777_216, "\(length) i=\(i) error=\(error) range=\(range)")
                worst = max(worst, error)
            }
            // Far below the signal's own noise (σ = 0.01) and its resolution.
            #expect(worst < (outlierFirst ? 1e-3 : 1e-5), "\(length) worst=\(worst)")
        }
    }

    @Test("a Float-keyed window of distances gives the exact median and mean to a part in 10^7")
    func floatDistancesAreClose() {
        var exact = RollingMedian(.samples(250))
        var compact = IndexedMedian<Float, UInt16>(.samples(250))
        var rng = SplitMix64(steppedSeed: 5)
        for i in 0..<3000 {
            let d = abs(rng.standardNormal()) * (i < 1500 ? 0.003 : 2e4)
            exact.append(time: Int64(i), value: d)
            compact.append(time: Int64(i), value: d)
            #expect(abs(compact.median - exact.median) <= 1.2e-7 * exact.median, "i=\(i)")
            #expect(abs(compact.mean - exact.mean) <= 1e-6 * exact.mean, "i=\(i)")
        }
    }

    @Test("a reading beyond Float's range is held at its limit: the window, the mean and mad's scores stay finite")
    func hugeReadingsStayFinite() throws {
        var w = IndexedMedian<Float, UInt16>(.samples(5), relative: true)
        for (i, v) in [1.0, 2, 1e300, 3, -1e300, 2, 1].enumerated() {
            w.append(time: Int64(i), value: v)
            #expect(w.median.isFinite && w.mean.isFinite, "i=\(i)")
        }
        #expect(w.median == 2)
        var values = noise(count: 1500, sigma: 1, seed: 8)
        values[700] = 1e40
        values[900] = 1e300
        let s = try scores(values, names: ["mad"])
        #expect(s.allSatisfy { $0.score.isFinite })
        #expect(s[700].score > 0.5)
        // t² overflows here: the small-sample map takes the logarithmic form.
        #expect(s[900].score > s[700].score)
        // The readings after the fault are judged against normal operation again.
        #expect(s[701..<1500].filter { $0.score > 0.5 }.count <= 3)
    }

    @Test("a copy of a relative window taken before an origin move keeps its own readings")
    func copyAcrossOriginMove() {
        var a = IndexedMedian<Float, UInt16>(.samples(20), relative: true)
        for i in 0..<30 { a.append(time: Int64(i), value: 1000 + Double(i)) }
        var b = a
        // 20 more readings: `a` moves its origin, `b` must not see it.
        for i in 30..<50 { a.append(time: Int64(i), value: 5000 + Double(i)) }
        b.append(time: 30, value: 0)
        #expect(a.median == 5039.5)
        #expect(b.median == 1019.5 || b.median == 1019)
        #expect(b.oldest.value == 1011)
    }

    /// 300,000 records at a history of 2,000: the record weight is rescaled three times
    /// (at 10²⁰, every ≈ 92,000 records) and the `Float` masses must keep the distribution.
    @Test("Float calibrator bins: after several rescales the empirical tail still matches the Gaussian")
    func floatBinsSurviveRescales() {
        var calibrator = TailCalibrator(historyLength: 2000, priorWeight: 30)
        var rng = SplitMix64(steppedSeed: 12)
        for _ in 0..<300_000 { calibrator.record(abs(rng.standardNormal())) }
        for z in [0.5, 1.0, 1.5, 2.0] {
            let p = calibrator.tailProbability(of: z)
            let truth = Math.twoSidedGaussianTail(z)
            #expect(abs(p - truth) / truth < 0.15, "z=\(z) p=\(p) truth=\(truth)")
        }
        #expect(calibrator.tailProbability(of: 6) < 1e-4)
    }
}

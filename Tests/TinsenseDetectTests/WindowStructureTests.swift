import Testing
@testable import TinsenseDetect
import TinsenseCore
import TinsenseTestSupport

@Suite("rolling windows")
struct WindowStructureTests {
    @Test("the rolling median equals a sorted copy of the last w readings, for odd and even w")
    func rollingMedianMatchesBruteForce() {
        for w in [1, 2, 7, 64] {
            var median = RollingMedian(.samples(w))
            var rng = SplitMix64(steppedSeed: UInt64(w))
            var all: [Double] = []
            for i in 0..<2000 {
                // Many ties, as quantised plant signals have.
                let v = Double(Int.random(in: 0..<40, using: &rng)) / 4
                all.append(v)
                median.append(time: Int64(i), value: v)
                let window = all.suffix(w).sorted()
                let n = window.count
                let expected = n % 2 == 1 ? window[n / 2] : 0.5 * (window[n / 2 - 1] + window[n / 2])
                #expect(median.median == expected, "w=\(w) i=\(i)")
                let mean = all.suffix(w).reduce(0, +) / Double(min(w, all.count))
                #expect(abs(median.mean - mean) < 1e-9, "mean w=\(w) i=\(i)")
            }
        }
    }

    @Test("a window that grows its buffers as readings arrive gives the medians of the last w readings, past every growth step")
    func growingWindowMatchesBruteForce() {
        // 300 is not a power of two: the last step grows 256 slots to the bound, not to 512.
        for w in [17, 300] {
            var median = RollingMedian(.samples(w))
            var rng = SplitMix64(steppedSeed: UInt64(100 + w))
            var all: [Double] = []
            for i in 0..<(3 * w) {
                let v = Double(Int.random(in: 0..<1000, using: &rng)) / 8
                all.append(v)
                median.append(time: Int64(i), value: v)
                let window = all.suffix(w).sorted()
                let n = window.count
                let expected = n % 2 == 1 ? window[n / 2] : 0.5 * (window[n / 2 - 1] + window[n / 2])
                #expect(median.median == expected, "w=\(w) i=\(i)")
            }
        }
    }

    @Test("a copy taken before the buffers grow keeps its own readings")
    func copyAcrossGrowth() {
        var a = RollingMedian(.samples(100))
        for i in 0..<16 { a.append(time: Int64(i), value: Double(i)) }
        var b = a
        for i in 16..<40 { a.append(time: Int64(i), value: 1000) }
        b.append(time: 16, value: -1)
        #expect(a.median == 1000)
        #expect(b.count == 17 && b.median == 7)
        #expect(b.oldest.value == 0)
    }

    @Test("a time window keeps exactly the readings of the last span, with irregular gaps")
    func timeWindowMedian() {
        var median = RollingMedian(.duration(milliseconds: 10_000, maxSamples: 100))
        var rng = SplitMix64(steppedSeed: 9)
        var all: [(Int64, Double)] = []
        var t: Int64 = 0
        for _ in 0..<3000 {
            t += Int64.random(in: 1...3000, using: &rng)
            let v = Double.random(in: 0..<1, using: &rng)
            all.append((t, v))
            median.append(time: t, value: v)
            let window = all.filter { t - $0.0 < 10_000 }.suffix(100).map(\.1).sorted()
            let n = window.count
            let expected = n % 2 == 1 ? window[n / 2] : 0.5 * (window[n / 2 - 1] + window[n / 2])
            #expect(median.median == expected)
        }
    }

    @Test("rolling mean and variance stay exact on a signal far from zero")
    func rollingMomentsAreStable() {
        var moments = RollingMoments(.samples(50))
        var rng = SplitMix64(steppedSeed: 3)
        var all: [Double] = []
        for i in 0..<5000 {
            let v = 1e6 + 1e-3 * rng.standardNormal()
            all.append(v)
            moments.append(time: Int64(i), value: v)
        }
        let window = all.suffix(50)
        let mean = window.reduce(0, +) / 50
        let variance = window.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 49
        #expect(abs(moments.mean - mean) < 1e-9)
        #expect(abs(moments.variance - variance) / variance < 1e-4)
    }

    @Test("window lengths parse as counts or durations and reject nonsense")
    func windowLengthParsing() {
        #expect(WindowLength(parsing: "300") == .samples(300))
        #expect(WindowLength(parsing: "5m") == .duration(milliseconds: 300_000, maxSamples: WindowLength.defaultMaxSamples))
        #expect(WindowLength(parsing: "250ms") == .duration(milliseconds: 250, maxSamples: WindowLength.defaultMaxSamples))
        #expect(WindowLength(parsing: "2h", maxSamples: 10) == .duration(milliseconds: 7_200_000, maxSamples: 10))
        #expect(WindowLength(parsing: "0") == nil)
        #expect(WindowLength(parsing: "five") == nil)
        #expect(WindowLength(parsing: "-3s") == nil)
    }

    @Test("the rolling sum's mean equals the mean of the window, by count and by time, across huge and tiny values")
    func rollingSum() {
        var byCount = RollingSum(.samples(15))
        var byTime = RollingSum(.duration(milliseconds: 5_000, maxSamples: 64))
        var rng = SplitMix64(steppedSeed: 21)
        var all: [(Int64, Double)] = []
        var t: Int64 = 0
        for i in 0..<5000 {
            t += Int64.random(in: 1...900, using: &rng)
            // A burst of huge values in the middle must not leave rounding behind.
            let v = (2000..<2030).contains(i) ? 1e9 * Double.random(in: 0..<1, using: &rng) : Double.random(in: 0..<1e-3, using: &rng)
            all.append((t, v))
            byCount.append(time: t, value: v)
            byTime.append(time: t, value: v)
            let lastCount = all.suffix(15).map(\.1)
            let lastSpan = all.filter { t - $0.0 < 5_000 }.suffix(64).map(\.1)
            let a = lastCount.reduce(0, +) / Double(lastCount.count)
            let b = lastSpan.reduce(0, +) / Double(lastSpan.count)
            if i > 2100 {
                #expect(abs(byCount.mean - a) <= 1e-9 * a, "i=\(i)")
                #expect(abs(byTime.mean - b) <= 1e-9 * b, "i=\(i)")
            }
            #expect(byCount.count == lastCount.count && byTime.count == lastSpan.count)
        }
    }

    @Test("a copied window is an independent value (copy-on-write of the ring)")
    func ringCopyOnWrite() {
        var a = RollingSum(.samples(4))
        for i in 0..<4 { a.append(time: Int64(i), value: 1) }
        var b = a
        b.append(time: 5, value: 101)
        #expect(a.mean == 1)
        #expect(b.mean == 26)
    }

    @Test("small-sample correction: the t-to-normal map is monotone, about the identity for large ν, strong for small ν")
    func smallSample() {
        var previous = 0.0
        for t in stride(from: 0.0, through: 50, by: 0.01) {
            let z = SmallSample.equivalentNormal(t, degreesOfFreedom: 20)
            #expect(z >= previous - 1e-9, "t=\(t)")
            previous = z
        }
        #expect(abs(SmallSample.equivalentNormal(3, degreesOfFreedom: 1e6) - 3) < 1e-4)
        // ν = 2: t = 10 has a two-sided tail of ~0.01, the normal's at z ≈ 2.6.
        #expect(abs(SmallSample.equivalentNormal(10, degreesOfFreedom: 2) - 2.8) < 0.3)
        // The polynomial branch and the libm branch agree at their seam.
        let nu = 100.0, seam = (0.02 * nu).squareRoot()
        #expect(abs(SmallSample.equivalentNormal(seam - 1e-9, degreesOfFreedom: nu) - SmallSample.equivalentNormal(seam + 1e-9, degreesOfFreedom: nu)) < 1e-7)
    }

    @Test("16-bit indices give exactly the medians and means of 32-bit ones, past every growth step and with a time window")
    func narrowIndicesMatchWide() {
        for length in [WindowLength.samples(7), .samples(300), .duration(milliseconds: 60_000, maxSamples: 200)] {
            var wide = RollingMedian(length)
            var narrow = IndexedMedian<Double, UInt16>(length)
            var rng = SplitMix64(steppedSeed: 77)
            var t: Int64 = 0
            for i in 0..<2000 {
                t += Int64.random(in: 1...900, using: &rng)
                let v = Double(Int.random(in: 0..<200, using: &rng)) / 8
                wide.append(time: t, value: v)
                narrow.append(time: t, value: v)
                #expect(narrow.median == wide.median, "\(length) i=\(i)")
                #expect(narrow.mean == wide.mean, "\(length) i=\(i)")
                #expect(narrow.count == wide.count)
            }
        }
        #expect(IndexedMedian<Double, UInt16>.maxBound == 65_530)
    }

    @Test("Float keys: the median of the rounded values, read back as doubles")
    func floatKeys() {
        var median = IndexedMedian<Float, UInt16>(.samples(50))
        var rng = SplitMix64(steppedSeed: 5)
        var all: [Double] = []
        for i in 0..<500 {
            let v = Double.random(in: 0..<1, using: &rng)
            all.append(Double(Float(v)))
            median.append(time: Int64(i), value: v)
            let window = all.suffix(50).sorted()
            let n = window.count
            let expected = n % 2 == 1 ? window[n / 2] : 0.5 * (window[n / 2 - 1] + window[n / 2])
            #expect(median.median == expected, "i=\(i)")
        }
    }
}

@Suite("detector state layout")
struct DetectorStateLayoutTests {
    @Test("a mad window too wide for 16-bit indices scores exactly as a narrow one holding the same readings")
    func wideMadWindow() throws {
        var values = noise(count: 3000, sigma: 1, seed: 21)
        values[2500] += 12
        let narrow = try scores(values, names: ["mad", "spike"], overrides: ["mad.window": "65000"])
        let wide = try scores(values, names: ["mad", "spike"], overrides: ["mad.window": "70000"])
        #expect(narrow.map(\.score) == wide.map(\.score))
        #expect(narrow[2500].score > 0.5)
    }

    @Test("a copied detector running the boxed kinds (zscore, level_shift) stays independent of the original")
    func copiesOfBoxedKindsAreIndependent() throws {
        let spec = try DetectorSpec(names: ["zscore", "level_shift", "mad"])
        let values = noise(count: 600, sigma: 1, seed: 3)
        var a = spec.makeDetector()
        func at(_ i: Int) -> Timestamp { Timestamp(millisecondsSinceEpoch: 1_700_000_000_000 + Int64(i) * 1000) }
        for i in 0..<400 { _ = a.observe(time: at(i), value: values[i]) }
        var b = a
        // The original sees a long fault; the copy must not.
        for i in 400..<500 { _ = a.observe(time: at(i), value: 80) }
        var fresh = spec.makeDetector()
        for i in 0..<400 { _ = fresh.observe(time: at(i), value: values[i]) }
        for i in 400..<600 {
            let x = b.observe(time: at(i), value: values[i]), y = fresh.observe(time: at(i), value: values[i])
            #expect(x.score == y.score, "i=\(i)")
        }
    }
}

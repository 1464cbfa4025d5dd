import Testing
@testable import TinsenseDetect

@Suite("rolling windows")
struct WindowStructureTests {
    @Test("the rolling median equals a sorted copy of the last w readings, for odd and even w")
    func rollingMedianMatchesBruteForce() {
        for w in [1, 2, 7, 64] {
            var median = RollingMedian(.samples(w))
            var rng = SeededRandom(seed: UInt64(w))
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
            }
        }
    }

    @Test("a time window keeps exactly the readings of the last span, with irregular gaps")
    func timeWindowMedian() {
        var median = RollingMedian(.duration(milliseconds: 10_000, maxSamples: 100))
        var rng = SeededRandom(seed: 9)
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
        var rng = SeededRandom(seed: 3)
        var all: [Double] = []
        for i in 0..<5000 {
            let v = 1e6 + 1e-3 * rng.gaussian()
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
}

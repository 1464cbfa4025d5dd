import TinsenseCore
import TinsenseDetect

/// The cost per reading of each detector set and of the `score` engine, measured beside
/// the plain baseline in the same run (so machine speed cancels out of the ratio).
///
/// Runs on one core over a synthetic 1 Hz series (random walk plus noise, quantised to 3
/// decimals, occasional spikes and steps); each figure is the best of 3 runs. The storage
/// codecs have their own harness in Benchmarks/; this one measures detection only.
package struct DetectorBenchmark {
    package let readings: Int
    private let values: [Double]
    private let times: [Int64]
    /// Sum of everything measured, read by the caller so the optimiser keeps the work.
    package private(set) var checksum = 0.0

    package init(readings: Int) {
        self.readings = readings
        values = Self.series(count: readings)
        times = (0..<readings).map { Int64(1_700_000_000_000) + Int64($0) * 1000 }
    }

    /// Nanoseconds per reading of the Gaussian z-score baseline.
    package mutating func baselineNanoseconds() -> Double {
        let (values, times) = (self.values, self.times)
        return measure {
            var b = GaussianZScoreBaseline()
            var s = 0.0
            for i in 0..<values.count { s += b.tailProbability(time: times[i], value: values[i]) }
            return s
        }
    }

    /// Nanoseconds per reading of a detector set built from `spec`.
    package mutating func nanoseconds(spec: DetectorSpec) -> Double {
        let (values, times) = (self.values, self.times)
        return measure {
            var d = spec.makeDetector()
            var s = 0.0
            for i in 0..<values.count { s += d.observe(time: .init(millisecondsSinceEpoch: times[i]), value: values[i]).score }
            return s
        }
    }

    /// Nanoseconds per row of `tinsense score` end to end in memory: CSV parse, the default
    /// set, CSV write.
    package mutating func scoreNanoseconds() -> Double {
        var csv = Array("timestamp,value\n".utf8)
        for i in 0..<values.count {
            csv += Array(RFC3339.format(.init(millisecondsSinceEpoch: times[i])).utf8)
            csv.append(0x2C)
            FixedDecimal.append(values[i], decimals: 3, to: &csv)
            csv.append(0x0A)
        }
        let rows = values.count
        return measure {
            var scorer = CSVSeriesScorer(spec: .default)
            var out: [UInt8] = []
            out.reserveCapacity(csv.count + rows * 10)
            csv.withUnsafeBytes { p in
                try? scorer.consume(p, into: &out)
            }
            return Double(out.count)
        }
    }

    private mutating func measure(_ body: () -> Double) -> Double {
        let clock = ContinuousClock()
        var best = Duration.seconds(1_000_000)
        for _ in 0..<3 {
            let start = clock.now
            checksum += body()
            best = min(best, clock.now - start)
        }
        let c = best.components
        return (Double(c.seconds) * 1e9 + Double(c.attoseconds) / 1e9) / Double(readings)
    }

    /// The benchmark series: deterministic, a level that wanders, a step every 50,000
    /// readings and a spike every 10,007.
    package static func series(count: Int) -> [Double] {
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        func uniform() -> Double {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return Double(state >> 11) / Double(1 << 53)
        }
        var level = 50.0
        return (0..<count).map { i in
            level += (uniform() - 0.5) * 0.05
            if i % 50_000 == 25_000 { level += 5 }
            var v = level + (uniform() + uniform() + uniform() - 1.5)
            if i % 10_007 == 0 { v += 20 }
            return (v * 1000).rounded() / 1000
        }
    }
}

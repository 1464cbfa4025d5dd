import Foundation
import TinsenseCore

/// One labelled series of the generality benchmark.
struct LabelledSeries {
    var name: String
    var kind: String
    var times: [Int64]
    var values: [Double]
    /// Reading indices of the labelled events (an anomaly's onset).
    var events: [Int]
    /// true: held aside as the test part.
    var test: Bool
}

/// The corpus' draws, on TinsenseCore's SplitMix64: seeded, the same series on every machine.
struct SeededRandom {
    private var generator: SplitMix64
    init(_ seed: UInt64) { generator = SplitMix64(seed: seed &* 0x9E37_79B9_7F4A_7C15 ^ 0xD1B5_4A32_D192_ED03) }
    mutating func next() -> UInt64 { generator.next() }
    mutating func uniform() -> Double { Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0) }
    mutating func uniform(_ a: Double, _ b: Double) -> Double { a + (b - a) * uniform() }
    mutating func int(_ r: ClosedRange<Int>) -> Int { r.lowerBound + Int(next() % UInt64(r.count)) }
    mutating func normal() -> Double {
        let u = max(uniform(), 1e-300), v = uniform()
        return sqrt(-2 * log(u)) * cos(2 * .pi * v)
    }
    mutating func poisson(_ lambda: Double) -> Double {
        if lambda > 30 { return max(0, (lambda + sqrt(lambda) * normal()).rounded()) }
        let l = exp(-lambda)
        var k = 0.0, p = 1.0
        repeat { k += 1; p *= uniform() } while p > l
        return k - 1
    }
}

/// Seeded generators of the kinds real plant and IT series show: clean periodic signals
/// (which must raise nothing), daily and weekly cycles with anomalies inside and outside the
/// normal range, random walks with level shifts, heavy-tailed counts, spiky server metrics,
/// slow failures, noise bursts, trends and regime changes.
enum SyntheticCorpus {
    static let day: Int64 = 86_400_000

    static let kinds = [
        "clean_sine", "clean_square", "clean_sawtooth", "clean_trend", "clean_heavy_counts", "clean_spiky_server",
        "daily_spike_up", "daily_dip", "daily_missing_cycle", "daily_amplitude_drop", "daily_frequency_change",
        "walk_level_shift", "heavy_counts_burst", "server_plateau", "weekly_traffic_outage", "machine_temperature_failure",
        "noise_burst", "trend_regime_change", "quantized_occupancy_jam", "square_wave_stuck",
    ]

    static func make(kind: String, seed: UInt64, test: Bool) -> LabelledSeries {
        var g = SeededRandom(seed &* 1_000_003 &+ UInt64(kinds.firstIndex(of: kind)!))
        let cadences: [Int64] = [300_000, 300_000, 600_000, 900_000, 3_600_000]
        let cadence = cadences[g.int(0...(cadences.count - 1))]
        let perDay = Double(day) / Double(cadence)
        let n = min(max(Int(perDay * g.uniform(12, 30)), 1200), 9000)
        let start: Int64 = 1_388_534_400_000 + Int64(g.int(0...364)) * day + Int64(g.int(0...23)) * 3_600_000
        var times = [Int64](repeating: 0, count: n)
        for i in 0..<n { times[i] = start + Int64(i) * cadence }
        let phase = g.uniform(0, 2 * .pi)
        func dayFraction(_ i: Int) -> Double { Double((times[i] % day + day) % day) / Double(day) }
        let base = g.uniform(-50, 200), amp = g.uniform(5, 60)
        let noise = amp * g.uniform(0.01, 0.08)
        let eventAt = Int(Double(n) * g.uniform(0.45, 0.85))
        var v = [Double](repeating: 0, count: n)
        var events: [Int] = []
        func sine(_ i: Int, period: Double = 1) -> Double { sin(2 * .pi * dayFraction(i) / period + phase) }
        switch kind {
        case "clean_sine":
            for i in 0..<n { v[i] = base + amp * sine(i) + noise * 0.2 * g.normal() }
        case "clean_square":
            for i in 0..<n { v[i] = base + (sine(i) > 0 ? amp : 0) }
        case "clean_sawtooth":
            for i in 0..<n { v[i] = base + amp * ((dayFraction(i) + phase / (2 * .pi)).truncatingRemainder(dividingBy: 1)) + noise * 0.1 * g.normal() }
        case "clean_trend":
            let slope = amp / Double(n) * g.uniform(1, 4)
            var ar = 0.0
            for i in 0..<n { ar = 0.9 * ar + noise * g.normal(); v[i] = base + slope * Double(i) + amp * 0.3 * sine(i) + ar }
        case "clean_heavy_counts", "heavy_counts_burst":
            let rate = g.uniform(2, 40)
            for i in 0..<n {
                let daily = 1 + 0.6 * sine(i)
                let shock = exp(0.8 * g.normal())
                v[i] = g.poisson(rate * daily * shock)
            }
            if kind == "heavy_counts_burst" {
                let len = g.int(6...30)
                for i in eventAt..<min(n, eventAt + len) { v[i] = g.poisson(rate * 12 * exp(0.3 * g.normal())) }
                events = [eventAt]
            }
        case "clean_spiky_server", "server_plateau":
            let level = g.uniform(2, 20)
            for i in 0..<n {
                v[i] = level * (1 + 0.1 * g.normal())
                if g.uniform() < 0.03 { v[i] += level * g.uniform(1, 6) }
                v[i] = max(0, v[i])
            }
            if kind == "server_plateau" {
                let len = g.int(Int(perDay / 8)...Int(perDay / 2) + 2)
                for i in eventAt..<min(n, eventAt + len) { v[i] = level * g.uniform(4, 5) * (1 + 0.05 * g.normal()) }
                events = [eventAt]
            }
        case "daily_spike_up", "daily_dip", "daily_missing_cycle", "daily_amplitude_drop", "daily_frequency_change":
            for i in 0..<n { v[i] = base + amp * sine(i) + noise * g.normal() }
            let len = Int(perDay)
            switch kind {
            case "daily_spike_up":
                for i in eventAt..<min(n, eventAt + g.int(1...4)) { v[i] = base + amp * g.uniform(1.5, 2.5) }
            case "daily_dip":
                for i in eventAt..<min(n, eventAt + g.int(2...8)) { v[i] = base - amp * g.uniform(1.5, 2.5) }
            case "daily_missing_cycle":
                for i in eventAt..<min(n, eventAt + len) { v[i] = base + noise * g.normal() }
            case "daily_amplitude_drop":
                for i in eventAt..<min(n, eventAt + 2 * len) { v[i] = base + 0.4 * amp * sine(i) + noise * g.normal() }
            default:
                for i in eventAt..<min(n, eventAt + len) { v[i] = base + amp * sine(i, period: 0.4) + noise * g.normal() }
            }
            events = [eventAt]
        case "walk_level_shift":
            var x = base
            for i in 0..<n { x += noise * 0.3 * g.normal(); v[i] = x + noise * g.normal() }
            let shift = noise * g.uniform(8, 15) * (g.uniform() < 0.5 ? -1 : 1)
            for i in eventAt..<n { v[i] += shift }
            events = [eventAt]
        case "weekly_traffic_outage":
            for i in 0..<n {
                let weekday = Int(((times[i] / day) + 4) % 7)
                let weekend = weekday >= 5 ? 0.5 : 1.0
                let rush = exp(-pow((dayFraction(i) - 0.35) * 12, 2)) + exp(-pow((dayFraction(i) - 0.72) * 12, 2))
                v[i] = max(0, base.magnitude + 5 + amp * weekend * rush + noise * g.normal())
            }
            // An outage at a busy hour: near-zero flow for a couple of hours.
            var e = eventAt
            while abs(dayFraction(e) - 0.35) > 0.03 && e < n - 1 { e += 1 }
            for i in e..<min(n, e + max(3, Int(perDay / 12))) { v[i] = max(0, base.magnitude + 5 + noise * g.normal()) }
            events = [e]
        case "machine_temperature_failure":
            var ar = 0.0, slow = 0.0
            for i in 0..<n {
                ar = 0.95 * ar + noise * g.normal(); slow = 0.999 * slow + noise * 0.2 * g.normal()
                v[i] = base + 10 * slow + ar
            }
            // A failing cooler: the temperature climbs well past its usual range over hours.
            let len = g.int(Int(perDay / 4)...Int(perDay))
            for i in eventAt..<n { v[i] += noise * 150 * min(1, Double(i - eventAt) / Double(len)) }
            events = [eventAt]
        case "noise_burst":
            for i in 0..<n { v[i] = base + amp * 0.2 * sine(i) + noise * g.normal() }
            for i in eventAt..<min(n, eventAt + g.int(20...80)) { v[i] += 3 * noise * g.normal() }
            events = [eventAt]
        case "trend_regime_change":
            let slope = amp / Double(n)
            for i in 0..<n { v[i] = base + slope * Double(i) + amp * 0.5 * sine(i) + noise * g.normal() }
            for i in eventAt..<n { v[i] += amp * 0.8 - 4 * slope * Double(i - eventAt) }
            events = [eventAt]
        case "quantized_occupancy_jam":
            for i in 0..<n { v[i] = max(0, (10 + 6 * sine(i) + 2 * g.normal()).rounded()) }
            for i in eventAt..<min(n, eventAt + g.int(6...24)) { v[i] = (g.uniform(35, 45)).rounded() }
            events = [eventAt]
        case "square_wave_stuck":
            for i in 0..<n { v[i] = base + (sine(i) > 0 ? amp : 0) + noise * 0.05 * g.normal() }
            // The signal stops switching for a day and a half: stuck high.
            for i in eventAt..<min(n, eventAt + Int(1.5 * perDay)) { v[i] = base + amp + noise * 0.05 * g.normal() }
            events = [eventAt]
        default:
            fatalError("unknown kind \(kind)")
        }
        return LabelledSeries(name: "\(kind)#\(seed)", kind: kind, times: times, values: v, events: events, test: test)
    }

    /// Six series of every kind with anomalies (seeds 1–3 tune, 4–6 are held aside), two of
    /// every clean kind (one each).
    static func all() -> [LabelledSeries] {
        var out: [LabelledSeries] = []
        for kind in kinds {
            let clean = kind.hasPrefix("clean_")
            for seed in UInt64(1)...(clean ? 2 : 6) {
                out.append(make(kind: kind, seed: seed, test: clean ? seed == 2 : seed > 3))
            }
        }
        return out
    }
}

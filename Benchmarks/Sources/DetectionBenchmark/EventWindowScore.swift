import Foundation

/// The event-window score of the published streaming-anomaly benchmark form: one window per
/// labelled event (10 % of the series' length shared among its events, centred on the event),
/// detections in the first 15 % (at most 750 readings) ignored as probation, the first
/// detection inside a window credited by a scaled sigmoid of its position (≈1 at the window's
/// start, 0 at its end), every detection outside a window charged `falsePositiveCost` (less
/// just after a window), every window without a detection charged `missCost`. Normalised over
/// a corpus so that never alerting scores 0 and detecting every event at its window's start 100.
struct EventWindowScore {
    var truePositiveWeight = 1.0
    var falsePositiveCost = 0.11
    var missCost = 1.0

    struct Windows {
        var ranges: [ClosedRange<Int>]
        var probation: Int
    }

    static func windows(length n: Int, events: [Int]) -> Windows {
        let probation = min(Int(0.15 * Double(n)), 750)
        guard !events.isEmpty else { return Windows(ranges: [], probation: probation) }
        let w = max(2, Int(0.10 * Double(n) / Double(events.count)))
        var ranges: [ClosedRange<Int>] = []
        for e in events.sorted() {
            let lo = max(0, e - w / 2), hi = min(n - 1, e + w / 2)
            if let last = ranges.last, lo <= last.upperBound {
                ranges[ranges.count - 1] = last.lowerBound...max(hi, last.upperBound)
            } else {
                ranges.append(lo...hi)
            }
        }
        return Windows(ranges: ranges, probation: probation)
    }

    /// 2/(1 + e^{5y}) − 1: y = −1 at a window's start, 0 at its end, > 0 after it.
    @inline(__always)
    static func sigmoid(_ y: Double) -> Double { y > 3 ? -1 : 2 / (1 + exp(5 * y)) - 1 }

    /// Raw score of one series at threshold `theta`, plus its null and perfect raw scores.
    func raw(scores: [Double], windows: Windows, theta: Double) -> (raw: Double, null: Double, perfect: Double, tp: Int, fp: Int) {
        var raw = 0.0
        var detected = [Bool](repeating: false, count: windows.ranges.count)
        var w = 0  // first window whose end is ≥ i
        var fp = 0, tp = 0
        let n = scores.count
        var i = windows.probation
        while i < n {
            if scores[i] >= theta {
                while w < windows.ranges.count && windows.ranges[w].upperBound < i { w += 1 }
                if w < windows.ranges.count && windows.ranges[w].contains(i) {
                    if !detected[w] {
                        detected[w] = true
                        tp += 1
                        let r = windows.ranges[w]
                        let y = -Double(r.upperBound - i) / Double(r.count)
                        raw += truePositiveWeight * Self.sigmoid(y)
                    }
                } else {
                    fp += 1
                    if w > 0 {
                        let r = windows.ranges[w - 1]
                        raw += falsePositiveCost * Self.sigmoid(Double(i - r.upperBound) / Double(r.count))
                    } else {
                        raw -= falsePositiveCost
                    }
                }
            }
            i += 1
        }
        let misses = detected.filter { !$0 }.count
        raw -= missCost * Double(misses)
        let count = Double(windows.ranges.count)
        return (raw, -missCost * count, truePositiveWeight * Self.sigmoid(-1) * count, tp, fp)
    }

    struct Result {
        var normalized: Double
        var theta: Double
        var truePositives: Int
        var falsePositives: Int
        var windows: Int
    }

    /// The best normalised score over one threshold shared by every series.
    func best(_ series: [(scores: [Double], windows: Windows)], thresholds: [Double]) -> Result {
        var best = Result(normalized: -Double.infinity, theta: 1, truePositives: 0, falsePositives: 0, windows: 0)
        for theta in thresholds {
            var total = 0.0, null = 0.0, perfect = 0.0
            var tp = 0, fp = 0, nw = 0
            for s in series {
                let r = raw(scores: s.scores, windows: s.windows, theta: theta)
                total += r.raw; null += r.null; perfect += r.perfect
                tp += r.tp; fp += r.fp; nw += s.windows.ranges.count
            }
            let norm = perfect > null ? 100 * (total - null) / (perfect - null) : 0
            if norm > best.normalized {
                best = Result(normalized: norm, theta: theta, truePositives: tp, falsePositives: fp, windows: nw)
            }
        }
        return best
    }

    /// Candidate thresholds: a uniform grid plus the upper quantiles of the scores themselves
    /// (scores on different scales all get a fine sweep where it matters).
    static func thresholds(_ all: [[Double]]) -> [Double] {
        var top: [Double] = []
        for s in all { top.append(contentsOf: s.filter { $0 > 0 }) }
        top.sort()
        var out = Set<Double>((1...200).map { Double($0) / 200 })
        if !top.isEmpty {
            for k in 0..<400 {
                let q = 0.9 + 0.1 * Double(k) / 400
                out.insert(top[min(top.count - 1, Int(q * Double(top.count)))])
            }
            for k in 1...40 { out.insert(top[max(0, top.count - k)]) }
        }
        out.insert(Double.infinity)
        return out.sorted()
    }
}

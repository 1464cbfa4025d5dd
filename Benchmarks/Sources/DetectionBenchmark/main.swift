// The generality benchmark of docs/DETECTION.md: many series of different kinds, an
// event-window score with early-detection credit and false-alarm cost, one threshold for all
// series, the all-time-range and rolling-Gaussian baselines in the same run; the tuning part
// and the held-aside part reported separately. With --cost: ns/reading of each detector set.
//
//   swift run -c release --package-path Benchmarks DetectionBenchmark [--skab /work/shared/data/skab] [--details] [--cost]
import Foundation
import TinsenseCore
import TinsenseDetect

var skabRoot = "/work/shared/data/skab"
var details = false
var cost = false
var detectorSets = ["default", "zscore", "mad", "spike", "variance", "drift"]
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let a = arguments.next() {
    switch a {
    case "--skab": skabRoot = arguments.next() ?? skabRoot
    case "--details": details = true
    case "--cost": cost = true
    case "--explain": _ = arguments.next(); _ = arguments.next()
    case "--detectors": detectorSets = (arguments.next() ?? "").split(separator: ";").map(String.init)
    default: print("unknown argument \(a)"); exit(2)
    }
}

/// A way to score a series: a baseline or a tinsense detector set run as `tinsense score` runs it.
struct Scorer {
    var name: String
    var score: ([Int64], [Double]) -> [Double]
}

var scorers = [
    Scorer(name: "baseline: all-time range") { _, v in Baselines.allTimeRange(v) },
    Scorer(name: "baseline: rolling Gaussian (6400)") { _, v in Baselines.rollingGaussian(v) },
]
for set in detectorSets {
    let parts = set.split(separator: " ").map(String.init)
    var overrides: [String: String] = [:]
    for p in parts.dropFirst() {
        let kv = p.split(separator: "=", maxSplits: 1).map(String.init)
        if kv.count == 2 { overrides[kv[0]] = kv[1] }
    }
    let spec = try DetectorSpec(names: parts[0].split(separator: ",").map(String.init), overrides: overrides)
    scorers.append(Scorer(name: set) { t, v in
        var scorer = SeriesScorer(spec: spec)
        return zip(t, v).map { scorer.score(time: Timestamp(millisecondsSinceEpoch: $0), value: $1) }
    })
}

if cost {
    // A 1 Hz random walk with noise, a daily cycle, spikes and steps: 2 M readings, best of 3.
    var g = SeededRandom(99)
    let n = 2_000_000
    var x = 0.0
    var times = [Int64](repeating: 0, count: n), values = [Double](repeating: 0, count: n)
    for i in 0..<n {
        x += 0.01 * g.normal()
        times[i] = 1_700_000_000_000 + Int64(i) * 1000
        values[i] = x + sin(Double(i) * 2 * .pi / 86_400) + 0.1 * g.normal() + (g.uniform() < 1e-4 ? 5 : 0)
    }
    var base = 0.0
    print("| detector set | ns/reading | × rolling Gaussian |\n|---|---|---|")
    for s in scorers {
        var best = Double.infinity
        for _ in 0..<3 {
            let t0 = DispatchTime.now().uptimeNanoseconds
            let out = s.score(times, values)
            let t1 = DispatchTime.now().uptimeNanoseconds
            if out.count != n { print("?") }
            best = min(best, Double(t1 - t0) / Double(n))
        }
        if s.name.contains("Gaussian") { base = best }
        print("| \(s.name) | \(String(format: "%.1f", best)) | \(base > 0 ? String(format: "%.2f", best / base) : "–") |")
    }
    exit(0)
}

let corpus = SyntheticCorpus.all() + SKABCorpus.load(skabRoot)
let scoring = EventWindowScore()
let windows = corpus.map { EventWindowScore.windows(length: $0.values.count, events: $0.events) }
print("corpus: \(corpus.count) series (\(corpus.filter { $0.kind != "skab" }.count) synthetic of \(SyntheticCorpus.kinds.count) kinds, \(corpus.filter { $0.kind == "skab" }.count) SKAB channels), \(corpus.reduce(0) { $0 + $1.values.count }) readings, \(windows.reduce(0) { $0 + $1.ranges.count }) event windows; half of each held aside\n")
print("| detector | tune part | held-aside part | held-aside synthetic | held-aside SKAB | threshold (tune) | held-aside TP/windows, FP | held-aside, own best threshold | whole corpus, own best |")
print("|---|---|---|---|---|---|---|---|---|")
for s in scorers {
    let scores = corpus.map { s.score($0.times, $0.values) }
    func part(_ keep: (LabelledSeries) -> Bool) -> [(scores: [Double], windows: EventWindowScore.Windows)] {
        corpus.indices.filter { keep(corpus[$0]) }.map { (scores[$0], windows[$0]) }
    }
    let tune = part { !$0.test }
    let thresholds = EventWindowScore.thresholds(tune.map(\.scores))
    let bestTune = scoring.best(tune, thresholds: thresholds)
    // The held-aside part is scored at the threshold chosen on the tuning part.
    let heldAll = scoring.best(part { $0.test }, thresholds: [bestTune.theta])
    let heldSyn = scoring.best(part { $0.test && $0.kind != "skab" }, thresholds: [bestTune.theta])
    let heldSKAB = scoring.best(part { $0.test && $0.kind == "skab" }, thresholds: [bestTune.theta])
    let heldOwn = scoring.best(part { $0.test }, thresholds: EventWindowScore.thresholds(part { $0.test }.map(\.scores)))
    let whole = scoring.best(part { _ in true }, thresholds: EventWindowScore.thresholds(scores))
    print("| \(s.name) | \(String(format: "%.1f", bestTune.normalized)) | \(String(format: "%.1f", heldAll.normalized)) | \(String(format: "%.1f", heldSyn.normalized)) | \(String(format: "%.1f", heldSKAB.normalized)) | \(String(format: "%.4f", bestTune.theta)) | \(heldAll.truePositives)/\(heldAll.windows), \(heldAll.falsePositives) | \(String(format: "%.1f", heldOwn.normalized)) | \(String(format: "%.1f", whole.normalized)) (\(String(format: "%.3f", whole.theta))) |")
    if details {
        for kind in SyntheticCorpus.kinds + ["skab"] {
            let r = scoring.best(part { $0.kind == kind }, thresholds: [bestTune.theta])
            let maxScore = corpus.indices.filter { corpus[$0].kind == kind }.map { i in
                scores[i][windows[i].probation...].max() ?? 0 }.max() ?? 0
            print("    \(kind): \(String(format: "%.1f", r.normalized)) TP \(r.truePositives)/\(r.windows) FP \(r.falsePositives) max-after-probation \(String(format: "%.3f", maxScore))")
        }
    }
}

/// `--explain KIND THRESHOLD`: the default's alarms outside windows on one kind's series, with
/// the detector that won and its reason (for reading what the false alarms are).
if let k = CommandLine.arguments.firstIndex(of: "--explain"), k + 2 < CommandLine.arguments.count {
    let kind = CommandLine.arguments[k + 1], theta = Double(CommandLine.arguments[k + 2]) ?? 0.5
    for (idx, s) in corpus.enumerated() where s.kind == kind || s.name.hasPrefix(kind) {
        var d = SeriesScorer(spec: .default)
        var lines: [String] = []
        for i in s.values.indices {
            let (out, r) = d.observe(time: Timestamp(millisecondsSinceEpoch: s.times[i]), value: s.values[i])
            let inWindow = windows[idx].ranges.contains { $0.contains(i) }
            if i >= windows[idx].probation && out >= theta && lines.count < 8 {
                lines.append("  \(inWindow ? "TP" : "FP") i=\(i) score=\(String(format: "%.3f", out)) (set \(String(format: "%.3f", r.score))) \(r.reason)")
            }
        }
        print("\(s.name) n=\(s.values.count) windows=\(windows[idx].ranges)")
        lines.forEach { print($0) }
    }
}

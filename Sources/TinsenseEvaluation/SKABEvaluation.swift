import TinsenseCore
import TinsenseDetect

/// The SKAB table of docs/DETECTION.md: detector sets scored on every file of the data set,
/// beside the plain Gaussian baseline, at the plant threshold and at the best single
/// threshold for all files (the oracle, which measures ranking rather than calibration).
///
/// Each file is one multichannel record scored by `MultichannelScoring`, because SKAB's
/// labels mark rows of the whole rig, not of one channel.
package struct SKABEvaluation: Sendable {
    package let dataSet: SKABDataSet
    /// The alert threshold the point and event counts use.
    package let threshold: Double

    package init(dataSet: SKABDataSet, threshold: Double) {
        self.dataSet = dataSet
        self.threshold = threshold
    }

    package static let baselineName = "baseline (Gaussian z, window 500)"

    /// The Markdown table's header and separator lines.
    package static let tableHeader = [
        "| detector | precision | recall | F1 | event F1 | onsets true/false | best F1 (thr) | best event F1 (thr) |",
        "|---|---|---|---|---|---|---|---|",
    ]

    /// Every file scored by the baseline.
    package func baselineScores() -> ScoredSeriesSet {
        var set = ScoredSeriesSet()
        for f in dataSet.files {
            set.series.append(.init(name: f.path, scores: MultichannelScoring.baselineScores(times: f.record.times, channels: f.record.channels),
                                    labels: f.record.anomaly))
        }
        return set
    }

    /// Every file scored by `spec` on each of its channels.
    package func scores(spec: DetectorSpec) -> ScoredSeriesSet {
        var set = ScoredSeriesSet()
        for f in dataSet.files {
            set.series.append(.init(name: f.path, scores: MultichannelScoring.scores(times: f.record.times, channels: f.record.channels, spec: spec),
                                    labels: f.record.anomaly))
        }
        return set
    }

    /// One Markdown table row for the set scored as `name`.
    package func row(_ name: String, _ set: ScoredSeriesSet) -> String {
        let p = set.pointCounts(threshold: threshold)
        let e = set.eventCounts(threshold: threshold)
        let bp = set.bestPointF1(), be = set.bestEventF1()
        func f(_ x: Double) -> String { FixedDecimal.format(x, decimals: 3) }
        return "| \(name) | \(f(p.precision)) | \(f(p.recall)) | \(f(p.f1)) | \(f(e.f1)) | \(e.trueOnsets)/\(e.falseOnsets) | \(f(bp.f1)) (\(FixedDecimal.format(bp.threshold, decimals: 2))) | \(f(be.f1)) (\(FixedDecimal.format(be.threshold, decimals: 2))) |"
    }
}

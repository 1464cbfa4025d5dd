import TinsenseDetect

/// Scores a multichannel record (all channels sampled on the same rows, as in SKAB) as one:
/// each channel runs its own detector set, and a row's score is the Bonferroni combination
/// of the channels' tail probabilities — `min(1, channels · min p)` — the same rule that
/// combines detectors within a sensor, so the one threshold keeps its meaning.
package enum MultichannelScoring {
    /// Combined scores per row with `spec` on every channel.
    package static func scores(times: [Int64], channels: [[Double]], spec: DetectorSpec) -> [Double] {
        var detectors = channels.map { _ in spec.makeDetector() }
        let k = Double(channels.count)
        return times.indices.map { row in
            var p = 1.0
            for c in channels.indices {
                let r = detectors[c].observe(time: .init(millisecondsSinceEpoch: times[row]), value: channels[c][row])
                p = min(p, r.tailProbability)
            }
            return AnomalyScore.fromTailProbability(min(1, p * k))
        }
    }

    /// The same with the plain Gaussian z-score baseline on every channel.
    package static func baselineScores(times: [Int64], channels: [[Double]], window: Int = 500) -> [Double] {
        var baselines = channels.map { _ in GaussianZScoreBaseline(window: window) }
        let k = Double(channels.count)
        return times.indices.map { row in
            var p = 1.0
            for c in channels.indices {
                p = min(p, baselines[c].tailProbability(time: times[row], value: channels[c][row]))
            }
            return AnomalyScore.fromTailProbability(min(1, p * k))
        }
    }
}

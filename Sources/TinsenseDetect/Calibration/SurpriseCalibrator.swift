/// The second calibration stage of a detector set: how rare is this reading's combined
/// surprise against this series' own history of combined surprise?
///
/// Why a second stage: each detector's tail probability is calibrated against its own
/// statistic's history, but the combination of several is not — the smallest of k
/// probabilities is small more often than any one, more so when the detectors' statistics are
/// heavy-tailed or the signal periodic (every cycle's turn is a little surprising to each
/// detector, in turn). Bonferroni's `k · min p` only bounds that; it does not measure it. So
/// the combined surprise `S = −log10(k · min p)` is itself calibrated (the idea of the anomaly
/// likelihood of Ahmad et al., 2017, which compares a short-run raw score against its
/// long-run distribution, with this project's empirical tail in place of their Gaussian): a
/// series whose detectors cry "10⁻⁶" every day learns that this is its normal, and the same
/// final score means the same rarity on every series. `S` under the null is exponential with
/// mean 1/ln 10 ≈ 0.43; the prior stands in for it while the history is young. Unlike the
/// first stage, anomalies are learned at full weight and size: a square wave's edge is a
/// 10⁻³⁰⁰ jump to `spike` twice a day, every day, and only by learning it does this stage
/// learn that it is normal (the first stage's cap keeps a long fault from being learned there).
struct SurpriseCalibrator {
    private var calibrator: TailCalibrator

    init(_ p: LikelihoodParameters) {
        calibrator = TailCalibrator(historyLength: p.history, priorWeight: p.priorWeight,
                                    priorScale: 0.4343, anomalousWeight: 1, capsAnomalies: false,
                                    exponentialPrior: p.exponentialPrior)
    }

    /// The tail probability of a combined probability `p` among this series' past ones.
    @inline(__always)
    mutating func calibrate(_ p: Double) -> Double {
        let surprise = p < 1 ? -Math.log10(p > 1e-300 ? p : 1e-300) : 0
        return calibrator.calibrate(surprise)
    }
}

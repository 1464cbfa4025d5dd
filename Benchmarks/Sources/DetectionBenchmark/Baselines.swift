import Foundation
import TinsenseDetect

/// The two references every figure is compared with, computed in the same run.
enum Baselines {
    /// Distance beyond the all-time minimum and maximum seen so far, in units of that range,
    /// squashed to [0, 1): the cheap signal a real detector must beat.
    static func allTimeRange(_ values: [Double]) -> [Double] {
        var lo = Double.infinity, hi = -Double.infinity
        var out = [Double](repeating: 0, count: values.count)
        for (i, x) in values.enumerated() where x.isFinite {
            if lo <= hi {
                let range = max(hi - lo, 1e-12)
                let excess = max(0, x - hi, lo - x) / range
                out[i] = excess / (1 + excess)
            }
            lo = min(lo, x); hi = max(hi, x)
        }
        return out
    }

    /// A plain rolling Gaussian: two-sided normal tail of the z-score against the mean and
    /// σ of the last `window` readings, on tinsense's score map.
    static func rollingGaussian(_ values: [Double], window: Int = 6400) -> [Double] {
        var ring = [Double](repeating: 0, count: window)
        var count = 0, head = 0
        var sum = 0.0, sum2 = 0.0
        var out = [Double](repeating: 0, count: values.count)
        for (i, x) in values.enumerated() where x.isFinite {
            if count >= 2 {
                let m = sum / Double(count)
                let sd = sqrt(max(sum2 / Double(count) - m * m, 0))
                let z = sd > 0 ? abs(x - m) / sd : (x == m ? 0 : 40)
                let p = max(erfc(z / sqrt(2)), 1e-300)
                out[i] = AnomalyScore.fromTailProbability(p)
            }
            if count == window {
                let old = ring[head]
                sum -= old; sum2 -= old * old
            } else {
                count += 1
            }
            ring[head] = x
            head = (head + 1) % window
            sum += x; sum2 += x * x
        }
        return out
    }
}

/// Turns a detector's raw deviation statistic into a tail probability against that sensor's
/// own recent history of the same statistic — the step that makes one threshold mean the same
/// on every sensor.
///
/// Why not assume a Gaussian: real plant signals are quantised, heavy-tailed, autocorrelated
/// and seasonal, so "4 σ" is rare on one tag and hourly on the next. Instead each detector's
/// statistic `r ≥ 0` is kept in an exponentially forgotten histogram (about `historyLength`
/// readings of memory, logarithmic bins, four per octave, up to r ≈ 1.3·10⁵), and
///
/// - inside the bulk, `p` is the empirical fraction of history at least as large as `r`
///   (interpolated within a bin);
/// - beyond the top `tailFraction` of history, `p` follows an exponential tail fitted to that
///   history's mean excess (peaks over threshold, as in SPOT, Siffer et al., KDD 2017), so a
///   deviation larger than anything seen still gets a finite, ordered probability.
///
/// A half-normal prior of `priorWeight` pseudo-readings stands in for history at start-up and
/// fades as real history accumulates. Statistics flagged as anomalous (p < 10⁻⁴) enter the
/// history with a tenth of the weight, so a long fault does not teach the sensor that faults
/// are normal before the rolling windows themselves adapt.
///
/// Cost: O(1) per reading (the cumulative table is rebuilt every 16 readings from 68 bins);
/// memory: three arrays of 68 doubles, whatever the history length.
struct TailCalibrator {
    static let binsPerOctave = 4
    static let binCount = 68
    static let tailFraction = 0.02
    static let anomalousProbability = 1e-4
    static let anomalousWeight = 0.1

    private var mass: [Double]
    private var excessSum: [Double]
    /// Snapshot at the last refresh: mass of bins ≥ b, for b in 0...binCount.
    private var tailMass: [Double]
    private var total = 0.0
    private var snapshotTotal = 1.0
    private var sinceRefresh = 0
    private let decayPerRefresh: Double
    private let refreshInterval: Int
    // Exponential tail model above `tailStart`.
    private var tailStart = Double.infinity
    private var tailProbabilityAtStart = 0.0
    private var meanExcess = 1.0

    /// - Parameters:
    ///   - historyLength: readings of memory (the forgetting time constant).
    ///   - priorWeight: pseudo-readings of half-normal prior.
    ///   - priorScale: scale of the half-normal prior, in the statistic's units.
    ///   - refreshInterval: records between rebuilds of the cumulative table (1 for
    ///     statistics recorded rarely, such as one per completed run).
    init(historyLength: Int, priorWeight: Double = 30, priorScale: Double = 1, refreshInterval: Int = 16) {
        self.refreshInterval = refreshInterval
        let n = Self.binCount
        mass = [Double](repeating: 0, count: n)
        excessSum = [Double](repeating: 0, count: n)
        tailMass = [Double](repeating: 0, count: n + 1)
        decayPerRefresh = Math.pow(1 - 1 / Double(max(historyLength, 16)), Double(refreshInterval))
        if priorWeight > 0 {
            for b in 0..<n {
                let lo = Self.lowerEdge(b), hi = Self.lowerEdge(b + 1)
                let m = priorWeight * (Math.twoSidedGaussianTail(lo / priorScale) - Math.twoSidedGaussianTail(hi / priorScale))
                mass[b] = m
                excessSum[b] = m * 0.5 * (lo + hi)
                total += m
            }
        }
        refresh()
    }

    /// Probability, under the sensor's recent history, of a statistic at least `r`.
    @inline(__always)
    func tailProbability(of r: Double) -> Double {
        if r >= tailStart {
            return tailProbabilityAtStart * Math.exp(-(r - tailStart) / meanExcess)
        }
        guard r > 0 else { return 1 }
        let (b, frac) = Self.locate(r)
        let above = tailMass[b + 1] + (tailMass[b] - tailMass[b + 1]) * (1 - frac)
        let p = above / snapshotTotal
        return p < 1 ? p : 1
    }

    /// Adds `r` to the history.
    @inline(__always)
    mutating func record(_ r: Double, weight: Double = 1) {
        guard r.isFinite, r >= 0 else { return }
        let (b, _) = Self.locate(r)
        mass[b] += weight
        excessSum[b] += weight * r
        total += weight
        sinceRefresh += 1
        if sinceRefresh >= refreshInterval { refresh() }
    }

    /// The tail probability of `r`, then `r` added to history (down-weighted when anomalous).
    @inline(__always)
    mutating func calibrate(_ r: Double) -> Double {
        let p = tailProbability(of: r)
        record(r, weight: p < Self.anomalousProbability ? Self.anomalousWeight : 1)
        return p
    }

    private mutating func refresh() {
        sinceRefresh = 0
        let n = Self.binCount
        var running = 0.0
        var runningExcess = 0.0
        tailStart = .infinity
        let tailTarget = Self.tailFraction * total
        var found = false
        for b in stride(from: n - 1, through: 0, by: -1) {
            mass[b] *= decayPerRefresh
            excessSum[b] *= decayPerRefresh
            running += mass[b]
            runningExcess += excessSum[b]
            tailMass[b] = running
            if !found && running >= tailTarget * decayPerRefresh && running > 0 {
                found = true
                let u = Self.lowerEdge(b)
                tailStart = u
                tailProbabilityAtStart = running
                let excess = runningExcess / running - u
                meanExcess = max(excess, 0.05 * (u + 1))
            }
        }
        tailMass[n] = 0
        total = running
        snapshotTotal = running > 0 ? running : 1
        if found { tailProbabilityAtStart /= snapshotTotal }
    }

    /// Bin of `r` and the position (0..<1) inside it, from the float's exponent and mantissa.
    @inline(__always)
    static func locate(_ r: Double) -> (bin: Int, fraction: Double) {
        let x = 1 + r
        let e = Int(x.exponent)
        let top = Int((x.significandBitPattern >> 50) & 3)
        let b = e * binsPerOctave + top
        if b >= binCount - 1 { return (binCount - 1, 0.5) }
        let lo = lowerEdge(b), hi = lowerEdge(b + 1)
        return (b, (r - lo) / (hi - lo))
    }

    /// Smallest r that falls in bin `b`.
    static func lowerEdge(_ b: Int) -> Double {
        let octave = b / binsPerOctave
        let step = b % binsPerOctave
        return Double(1 << octave) * (1 + Double(step) / Double(binsPerOctave)) - 1
    }
}

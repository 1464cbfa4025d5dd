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
/// are normal before the rolling windows themselves adapt
/// (`calibration.anomaly_weight`, default 0.1), and capped at the statistic where p = 10⁻⁴,
/// so one gross fault does not stretch the fitted tail and mask the sensor's next fault.
///
/// Cost: O(1) per reading (the cumulative table is rebuilt from 68 bins every 4 readings while
/// the history is young, every 32 until it is as long as its memory, then every 64);
/// memory: three arrays of `Float`s, one per bin up to the highest bin that holds any mass
/// (about 20 of the 68 for the usual priors and statistics), whatever the history length.
/// A bin's mass and excess sum are `Float` (24 bits: a part in 10⁷ of a bin, far below what
/// forgetting changes between two refreshes); the running totals and the tail model are
/// `Double`. `Float` is why the record weight is rescaled at 10²⁰, not 10²⁰⁰.
struct TailCalibrator: @unchecked Sendable {
    // @unchecked: `ManagedBuffer` (the bins) is not `Sendable`; they are copy-on-write, mutated
    // only when uniquely referenced (`isKnownUniquelyReferenced`), as an `Array`'s storage.
    static let binsPerOctave = 4
    static let binCount = 68
    static let tailFraction = 0.02
    static let anomalousProbability = 1e-4
    /// Floor of the fitted mean excess, as a fraction of (tail start + 1). A quantised signal
    /// whose deviations take only a few values has almost no excess above its 98th percentile;
    /// without a floor a step one notch beyond anything seen would look like p ≈ 10⁻⁹. 0.1
    /// stays below the true excess of a Gaussian tail (0.37 at u = 2.33), so it binds only for
    /// such lumpy histories.
    static let minimumMeanExcessFraction = 0.1
    /// The record weight at which all masses are rescaled (every ≈ 92,000 records at the
    /// default history of 2,000): a bin then holds at most ≈ 10²⁴ and its excess sum 10²⁴ × r,
    /// within `Float` for any statistic below 10¹⁴.
    static let maximumRecordWeight = 1e20

    /// The bins, and the parameters fixed at creation (`CalibratorSettings`), in one
    /// allocation: eight calibrators a sensor make every byte here count 80,000 times at a
    /// large site.
    private var bins: CalibratorBins
    private var total = 0.0
    private var snapshotTotal = 1.0
    /// Weight of a new record relative to the stored masses. Forgetting would multiply all old
    /// mass by (1 − 1/history) per record; growing the new weight instead is the same up to a
    /// common factor and touches one number, not every bin. Rescaled long before a bin's
    /// `Float` mass (or mass × statistic) could overflow: at `maximumRecordWeight`.
    private var recordWeight = 1.0
    /// Mass of zero statistics not yet folded into bin 0 (see `recordZero`).
    private var zeroMass = 0.0
    // Exponential tail model above `tailStart`.
    private var tailStart = Double.infinity
    private var tailProbabilityAtStart = 0.0
    private var meanExcess = 1.0
    private var sinceRefresh: Int32 = 0
    /// Records so far, counted up to the maturity + 1 only: all that is asked of it is
    /// whether it is past 512 and past the maturity, and it must not overflow.
    private var recorded: Int32 = 0

    /// - Parameters:
    ///   - historyLength: readings of memory (the forgetting time constant).
    ///   - priorWeight: pseudo-readings of half-normal prior.
    ///   - priorScale: scale of the half-normal prior, in the statistic's units.
    ///   - exponentialPrior: the prior is exponential with mean `priorScale` instead (a
    ///     statistic that is a surprise in decades, whose null tail is exponential).
    ///   - refreshInterval: records between rebuilds of the cumulative table (1 for
    ///     statistics recorded rarely, such as one per completed run).
    ///   - anomalousWeight: weight in history of a statistic that was itself anomalous.
    ///   - capsAnomalies: false records an anomalous statistic at its own size (the second
    ///     calibration stage, which must learn that a periodic extreme is this series' normal).
    init(historyLength: Int, priorWeight: Double = 30, priorScale: Double = 1, refreshInterval: Int = 32,
         anomalousWeight: Double = 0.1, capsAnomalies: Bool = true, exponentialPrior: Bool = false) {
        let n = Self.binCount
        let settings = CalibratorSettings(
            growthPerRecord: 1 / (1 - 1 / Double(max(historyLength, 16))),
            anomalousWeight: anomalousWeight,
            // History lengths are bounded far below Int32.max by the detector spec.
            refreshInterval: Int32(clamping: refreshInterval),
            maturity: Int32(clamping: max(historyLength, 512)),
            capsAnomalies: capsAnomalies)
        // The prior's mass per bin; bins above the last with any mass are not stored (the
        // prior's tail underflows to 0 long before bin 68), they read as 0.
        var priorMass = [Double](repeating: 0, count: n)
        if priorWeight > 0 {
            for b in 0..<n {
                let lo = Self.lowerEdge(b), hi = Self.lowerEdge(b + 1)
                priorMass[b] = exponentialPrior
                    ? priorWeight * (Math.exp(-lo / priorScale) - Math.exp(-hi / priorScale))
                    : priorWeight * (Math.twoSidedGaussianTail(lo / priorScale) - Math.twoSidedGaussianTail(hi / priorScale))
            }
        }
        bins = CalibratorBins.make(binCount: (priorMass.lastIndex { $0 != 0 } ?? 0) + 1, settings: settings)
        let mass = bins.mass, excessSum = bins.excessSum, stored = bins.binCount
        for b in 0..<n {
            let m = priorMass[b]
            if b < stored {
                mass[b] = Float(m)
                excessSum[b] = Float(m * 0.5 * (Self.lowerEdge(b) + Self.lowerEdge(b + 1)))
            }
            total += m
        }
        refresh()
    }

    /// Probability, under the sensor's recent history, of a statistic at least `r`.
    @inline(__always)
    func tailProbability(of r: Double) -> Double {
        guard r > 0 else { return 1 }
        return tailProbability(of: r, at: Self.locate(r))
    }

    @inline(__always)
    private func tailProbability(of r: Double, at location: (bin: Int, fraction: Double)) -> Double {
        if r >= tailStart {
            return tailProbabilityAtStart * Math.exp(-(r - tailStart) / meanExcess)
        }
        let tailMass = bins.tailMass
        let b = location.bin
        // Unstored bins hold no mass (only reached while there is no tail model at all).
        guard b < bins.binCount else { return 0 }
        let upper = Double(tailMass[b + 1])
        let above = upper + (Double(tailMass[b]) - upper) * (1 - location.fraction)
        let p = above / snapshotTotal
        return p < 1 ? p : 1
    }

    /// Adds `r` to the history.
    @inline(__always)
    mutating func record(_ r: Double, weight: Double = 1) {
        guard r.isFinite, r >= 0 else { return }
        record(r, bin: Self.locate(r).bin, weight: weight)
    }

    @inline(__always)
    private mutating func record(_ r: Double, bin b: Int, weight: Double) {
        let w = weight * recordWeight
        if b >= bins.binCount {
            bins = bins.copy(binCount: min(Self.binCount, (b + 4) & ~3))
        } else if !isKnownUniquelyReferenced(&bins) {
            bins = bins.copy()
        }
        bins.mass[b] += Float(w)
        bins.excessSum[b] += Float(w * r)
        advance(by: w)
    }

    /// A zero statistic (a CUSUM at rest, a noise ratio below 1 — half of all readings for
    /// some detectors) only adds mass to bin 0, which nothing reads before the next refresh:
    /// it is kept aside and folded in there, without touching the bins.
    @inline(__always)
    private mutating func recordZero() {
        zeroMass += recordWeight
        advance(by: recordWeight)
    }

    @inline(__always)
    private mutating func advance(by w: Double) {
        let settings = bins.settings
        total += w
        recordWeight *= settings.growthPerRecord
        sinceRefresh += 1
        if recorded <= settings.maturity { recorded += 1 }
        // Early on the history changes fast: refresh often while it is young; once it holds
        // more than its own memory, twice the interval (a table at most 64 records stale out
        // of ~2000 remembered, for half the rebuilds).
        let interval = settings.refreshInterval
        if sinceRefresh >= (recorded > settings.maturity ? 2 * interval : interval) || (recorded < 512 && sinceRefresh >= 4) { refresh() }
    }

    /// The tail probability of `r`, then `r` added to history (down-weighted when anomalous).
    @inline(__always)
    mutating func calibrate(_ r: Double) -> Double {
        guard r.isFinite, r > 0 else {
            if r == 0 { recordZero() }
            return 1
        }
        let location = Self.locate(r)
        let p = tailProbability(of: r, at: location)
        if p < Self.anomalousProbability && bins.settings.capsAnomalies {
            // An anomaly enters the history as a just-anomalous deviation, not at its full
            // size: one gross fault (a reading at 110 % of span, a 50 % step) would otherwise
            // sit in the fitted tail for the whole memory and stretch its mean excess so far
            // that the sensor's next, smaller fault looks ordinary.
            let cap = anomalyThreshold
            record(min(r, cap), bin: r <= cap ? location.bin : Self.locate(cap).bin, weight: bins.settings.anomalousWeight)
        } else {
            record(r, bin: location.bin, weight: 1)
        }
        return p
    }

    /// The statistic at which the current tail model gives `anomalousProbability` (infinite
    /// while there is no tail model).
    private var anomalyThreshold: Double {
        guard tailStart.isFinite, tailProbabilityAtStart > Self.anomalousProbability else { return .infinity }
        return tailStart + meanExcess * Math.log(tailProbabilityAtStart / Self.anomalousProbability)
    }

    private mutating func refresh() {
        sinceRefresh = 0
        if recordWeight > Self.maximumRecordWeight { rescale(1 / recordWeight) }
        // Bins above the stored ones hold no mass: their running sums are 0 and none of them
        // can start the tail, so the scan starts at the highest stored bin.
        if !isKnownUniquelyReferenced(&bins) { bins = bins.copy() }
        let n = bins.binCount
        let mass = bins.mass, excessSum = bins.excessSum, tailMass = bins.tailMass
        mass[0] += Float(zeroMass)
        zeroMass = 0
        var running = 0.0
        var runningExcess = 0.0
        tailStart = .infinity
        let tailTarget = Self.tailFraction * total
        var found = false
        for b in stride(from: n - 1, through: 0, by: -1) {
            running += Double(mass[b])
            runningExcess += Double(excessSum[b])
            tailMass[b] = Float(running)
            if !found && running >= tailTarget && running > 0 {
                found = true
                let u = Self.lowerEdge(b)
                tailStart = u
                tailProbabilityAtStart = running
                let excess = runningExcess / running - u
                meanExcess = max(excess, Self.minimumMeanExcessFraction * (u + 1))
            }
        }
        tailMass[n] = 0
        total = running
        snapshotTotal = running > 0 ? running : 1
        if found { tailProbabilityAtStart /= snapshotTotal }
    }

    private mutating func rescale(_ factor: Double) {
        if !isKnownUniquelyReferenced(&bins) { bins = bins.copy() }
        let f = Float(factor)
        for b in 0..<bins.binCount {
            bins.mass[b] *= f
            bins.excessSum[b] *= f
        }
        total *= factor
        zeroMass *= factor
        recordWeight *= factor
    }

    /// Bin of `r` and the position (0..<1) inside it, read straight from the bits of 1 + r:
    /// the exponent gives the octave, the top two mantissa bits the quarter, the rest the
    /// position — no logarithm, no table.
    @inline(__always)
    static func locate(_ r: Double) -> (bin: Int, fraction: Double) {
        let bits = (1 + r).bitPattern
        let b = (Int(bits >> 52) - 1023) * binsPerOctave + Int((bits >> 50) & 3)
        if b >= binCount - 1 { return (binCount - 1, 0.5) }
        let fraction = Double((bits >> 20) & 0x3FFF_FFFF) * (1.0 / 1_073_741_824.0)
        return (b, fraction)
    }

    /// Smallest r that falls in bin `b`: 2^octave · (1 + quarter/4) − 1, exactly.
    @inline(__always)
    static func lowerEdge(_ b: Int) -> Double {
        Double(bitPattern: UInt64(1023 + b / binsPerOctave) << 52 | UInt64(b % binsPerOctave) << 50) - 1
    }
}

/// What a `TailCalibrator` fixes at creation. Kept in its bins' header, not in the struct:
/// eight calibrators a sensor, and the struct is what every sensor's detector box holds inline.
struct CalibratorSettings {
    /// Growth of the record weight per record: 1 / (1 − 1/historyLength).
    let growthPerRecord: Double
    let anomalousWeight: Double
    let refreshInterval: Int32
    /// Records after which the history is as long as its memory.
    let maturity: Int32
    /// Whether an anomalous statistic enters the history capped at the anomalous point.
    let capsAnomalies: Bool
}

/// The calibrator's bins as raw memory with copy-on-write checked once per operation: the
/// per-reading path touches two bins and must not pay `Array`'s uniqueness and bounds checks
/// on each. One allocation (a `ManagedBuffer`: the settings and bin count as its header, the
/// bins tail-allocated after it) holds the three columns for the stored bins (`binCount` ≤ 68,
/// the lowest ones: what lies above holds no mass yet).
final class CalibratorBins: ManagedBuffer<CalibratorBins.Header, Float> {
    struct Header {
        let settings: CalibratorSettings
        let binCount: Int32
    }

    static func make(binCount: Int, settings: CalibratorSettings) -> CalibratorBins {
        let all = 3 * binCount + 1
        let buffer = create(minimumCapacity: all) { _ in Header(settings: settings, binCount: Int32(binCount)) }
        let bins = unsafeDowncast(buffer, to: CalibratorBins.self)
        bins.withUnsafeMutablePointerToElements { $0.initialize(repeating: 0, count: all) }
        return bins
    }

    var settings: CalibratorSettings {
        @inline(__always) get { withUnsafeMutablePointerToHeader { $0.pointee.settings } }
    }

    var binCount: Int {
        @inline(__always) get { Int(withUnsafeMutablePointerToHeader { $0.pointee.binCount }) }
    }

    // The columns. The pointers stay valid while the object lives, and every user holds it.
    var mass: UnsafeMutablePointer<Float> {
        @inline(__always) get { withUnsafeMutablePointerToElements { $0 } }
    }
    var excessSum: UnsafeMutablePointer<Float> {
        @inline(__always) get { mass + binCount }
    }
    /// Snapshot at the last refresh: mass of bins ≥ b, for b in 0...binCount.
    var tailMass: UnsafeMutablePointer<Float> {
        @inline(__always) get { mass + 2 * binCount }
    }

    /// A copy with `binCount` bins (at least as many as this one); the new bins are empty.
    func copy(binCount newCount: Int? = nil) -> CalibratorBins {
        let n = binCount
        let c = Self.make(binCount: max(newCount ?? n, n), settings: settings)
        c.mass.update(from: mass, count: n)
        c.excessSum.update(from: excessSum, count: n)
        c.tailMass.update(from: tailMass, count: n + 1)
        return c
    }
}

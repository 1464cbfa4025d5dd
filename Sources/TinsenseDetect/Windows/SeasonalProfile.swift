/// One candidate cycle of a series (a day, a week): the typical value in each slot of the
/// period, learned online, and the prediction it gives together with the series' recent
/// departure from it.
///
/// The prediction for a reading is `profile[slot] + φ·u`, where `u` is the previous reading's
/// departure from its own slot and φ ∈ [0, 1] the lag-one autocorrelation of departures: φ ≈ 0
/// on a clean cycle (predict the cycle), φ ≈ 1 when the level wanders around the cycle
/// (predict the last value plus the cycle's expected change). So a daily cycle, a daily
/// cycle riding on a random walk, and a square wave whose edges fall in the same slots every
/// day are all predicted to within their noise.
///
/// Memory: one `Float` per slot (at most `maxSlots`), allocated when the profile is created;
/// O(1) per reading.
struct SeasonalProfile {
    static let maxSlots = 288
    let period: Int64
    let slotWidth: Int64
    private var slots: [Float]
    /// Learning rate per reading: a slot visited k times a period moves 1/(4k) of the way.
    private let rate: Float
    private var lagProduct = 0.0
    private var lagSquare = 0.0
    private var lastDeparture = Double.nan
    /// Mean absolute prediction error (EWMA over about one period of readings).
    private(set) var meanError = 0.0
    private let errorRate: Double
    private(set) var predictions = 0

    init(period: Int64, cadence: Int64) {
        self.period = period
        let perPeriod = max(1, period / max(cadence, 1))
        let count = Int(min(Int64(Self.maxSlots), perPeriod))
        slotWidth = (period + Int64(count) - 1) / Int64(count)
        slots = [Float](repeating: .nan, count: count)
        let readingsPerSlot = max(1, Double(perPeriod) / Double(count))
        rate = Float(0.25 / readingsPerSlot)
        errorRate = 1 / min(max(Double(perPeriod), 100), 4000)
    }

    /// The slot of a reading at `t` (computed once per reading: an integer division is most
    /// of this type's cost).
    @inline(__always)
    func slot(_ t: Int64) -> Int {
        let phase = t % period
        return Int((phase < 0 ? phase + period : phase) / slotWidth)
    }

    /// The prediction for a reading in slot `s`, nil while the slot or the previous departure
    /// is unknown.
    @inline(__always)
    func predict(slot s: Int) -> Double? {
        let p = slots[s]
        guard !p.isNaN, lastDeparture.isFinite else { return nil }
        let phi = lagSquare > 0 ? min(max(lagProduct / lagSquare, 0), 1) : 1
        return Double(p) + phi * lastDeparture
    }

    /// Learns the reading (after it was scored); `error` is its prediction error if there was
    /// one; `weight` < 1 for a reading that was itself anomalous, so a missing cycle is not
    /// learned as the new cycle at once.
    mutating func learn(slot s: Int, _ x: Double, error: Double?, weight: Double) {
        let u: Double
        if slots[s].isNaN {
            slots[s] = Float(x)
            u = 0
        } else {
            u = x - Double(slots[s])
            slots[s] += rate * Float(weight) * Float(u)
        }
        if lastDeparture.isFinite {
            lagProduct += 0.01 * (u * lastDeparture - lagProduct)
            lagSquare += 0.01 * (lastDeparture * lastDeparture - lagSquare)
        }
        lastDeparture = u
        if let error {
            predictions += 1
            let a = max(errorRate, 1 / Double(predictions))
            meanError += a * (min(abs(error), 4 * meanError + 1e-300) - meanError)
            if predictions == 1 { meanError = abs(error) }
        }
    }
}

/// The change from the previous reading, made comparable across gaps: what `spike` and
/// `variance` both look at, computed once per reading for both.
///
/// When readings are further apart than usual, the change is divided by √(gap / usual
/// interval) — the growth of a random walk's change with time — so a slowly wandering signal
/// that resumes after an outage at a new value is not a jump, nor a burst of noise. The usual
/// interval is an EWMA (span 200 readings) of intervals clipped at 10× itself, so an outage
/// barely moves it. O(1).
struct ChangeTracker {
    static let intervalSpan = 200

    /// The signed change of the newest reading, and its gap-scaled size.
    struct Step {
        var jump: Double
        var change: Double
    }

    private var lastValue = Double.nan
    private var lastTime: Int64 = 0
    private var meanInterval = 0.0
    private var count = 0
    private let rate = WarmingRate(span: ChangeTracker.intervalSpan)

    /// The step to `value` at `time`, then remembers it; nil for the first reading.
    @inline(__always)
    mutating func observe(time: Int64, value: Double) -> Step? {
        defer { lastValue = value; lastTime = time }
        guard !lastValue.isNaN else { return nil }
        let interval = Double(max(time - lastTime, 0))
        let jump = value - lastValue
        var change = abs(jump)
        if meanInterval > 0 && interval > meanInterval {
            change /= (interval / meanInterval).squareRoot()
        }
        count += 1
        let alpha = rate.rate(count)
        let clippedInterval = meanInterval > 0 ? min(interval, 10 * meanInterval) : interval
        meanInterval += alpha * (clippedInterval - meanInterval)
        return Step(jump: jump, change: change)
    }
}

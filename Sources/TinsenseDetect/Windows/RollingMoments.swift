/// Mean and variance over a rolling window (by count or time) in O(1) per reading.
///
/// Keeps sums of values shifted by a reference value so that a signal sitting at 1e6 with
/// noise of 1e-3 does not lose its variance to cancellation; the sums are recomputed from the
/// window every `capacity` removals, which bounds accumulated rounding at O(1) amortised cost.
struct RollingMoments {
    private var ring: WindowRing
    private var shift = 0.0
    private var sum = 0.0
    private var sumSquares = 0.0
    private var removalsSinceRecompute = 0

    init(_ length: WindowLength) { ring = WindowRing(length) }

    var count: Int { ring.count }
    var mean: Double { count == 0 ? .nan : shift + sum / Double(count) }
    /// Sample variance (n − 1); 0 with fewer than two readings.
    var variance: Double {
        let n = Double(count)
        guard count > 1 else { return 0 }
        let v = (sumSquares - sum * sum / n) / (n - 1)
        return v > 0 ? v : 0
    }
    var standardDeviation: Double { variance.squareRoot() }

    /// Evicts what the window no longer covers at `time`, without adding anything.
    mutating func evict(now time: Int64) {
        while ring.oldestIsDue(now: time) { remove(ring.removeOldest()) }
    }

    mutating func append(time: Int64, value: Double) {
        evict(now: time)
        if ring.isFull { remove(ring.removeOldest()) }
        if ring.isEmpty { shift = value; sum = 0; sumSquares = 0 }
        let d = value - shift
        sum += d
        sumSquares += d * d
        ring.append(time: time, value: value)
    }

    private mutating func remove(_ value: Double) {
        let d = value - shift
        sum -= d
        sumSquares -= d * d
        removalsSinceRecompute += 1
        if removalsSinceRecompute >= ring.capacity { recompute() }
    }

    private mutating func recompute() {
        removalsSinceRecompute = 0
        guard ring.count > 0 else { sum = 0; sumSquares = 0; return }
        shift = ring.value(at: ring.head)
        sum = 0
        sumSquares = 0
        var i = ring.head
        for _ in 0..<ring.count {
            let d = ring.value(at: i) - shift
            sum += d
            sumSquares += d * d
            i += 1
            if i == ring.capacity { i = 0 }
        }
    }
}

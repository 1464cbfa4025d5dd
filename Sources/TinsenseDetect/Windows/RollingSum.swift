/// The mean of a rolling window (by count or time) in O(1) per reading: a running sum over a
/// `WindowRing`, recomputed from the window every `capacity` removals to bound rounding.
/// (`RollingMoments` also keeps the sum of squares; this is for callers that need the mean
/// only.)
struct RollingSum {
    private var ring: WindowRing
    private var sum = 0.0
    private var removalsSinceRecompute = 0

    init(_ length: WindowLength) { ring = WindowRing(length) }

    var count: Int { ring.count }
    var mean: Double { count == 0 ? .nan : sum / Double(count) }

    @inline(__always)
    mutating func append(time: Int64, value: Double) {
        while ring.oldestIsDue(now: time) { remove(ring.removeOldest()) }
        if ring.isFull { remove(ring.removeOldest()) }
        sum += value
        ring.append(time: time, value: value)
    }

    @inline(__always)
    private mutating func remove(_ value: Double) {
        sum -= value
        removalsSinceRecompute += 1
        if removalsSinceRecompute >= ring.capacity { recompute() }
    }

    private mutating func recompute() {
        removalsSinceRecompute = 0
        sum = 0
        var i = ring.head
        for _ in 0..<ring.count {
            sum += ring.value(at: i)
            i += 1
            if i == ring.capacity { i = 0 }
        }
    }
}

/// The median of a rolling window (by count or time) in O(log w) per reading, O(1) to read.
///
/// Written by hand as an *indexed double heap* (the structure behind bottleneck's
/// `move_median`): the lower half of the window sits in a max-heap, the upper half in a
/// min-heap, and every window slot remembers where it is in its heap, so the reading that
/// leaves the window is deleted in O(log w) without a search and nothing is ever re-sorted.
/// Both heaps live in flat buffers of slot numbers: no allocation after `init`, cache-friendly,
/// and cheaper than a balanced tree or skiplist for the window sizes detectors use (≤ 10⁴).
///
/// The buffers are raw memory in a class with copy-on-write checked once per operation (not
/// once per element access as `Array` would), which is what keeps the detector set within
/// its per-reading budget; a copied detector still behaves as an independent value.
struct RollingMedian {
    private var storage: MedianStorage
    private let length: WindowLength
    private let capacity: Int
    private var head = 0
    private(set) var count = 0
    private var lowCount = 0
    private var highCount = 0
    /// Sum of the window's values (for `mean`), recomputed every `capacity` removals so
    /// rounding cannot accumulate.
    private var sum = 0.0
    private var removalsSinceRecompute = 0

    init(_ length: WindowLength) {
        self.length = length
        capacity = length.capacity
        storage = MedianStorage(capacity: capacity)
    }

    /// The median of the window (mean of the two middle values for an even count); NaN if empty.
    var median: Double {
        if lowCount == 0 { return .nan }
        let k = storage.keys
        let lowTop = -k[0]
        if lowCount > highCount { return lowTop }
        return 0.5 * (lowTop + k[capacity])
    }

    /// The mean of the window; NaN if empty.
    var mean: Double { count == 0 ? .nan : sum / Double(count) }

    /// Whether the oldest reading is older than a time window reaches at `time` (count
    /// windows never expire by time; a full window makes room in `append`).
    @inline(__always)
    func oldestIsDue(now time: Int64) -> Bool {
        guard count > 0, case .duration(let ms, _) = length else { return false }
        return time - storage.times[head] >= ms
    }

    /// The oldest reading (the caller checked `count > 0`).
    var oldest: (time: Int64, value: Double) { (storage.times[head], storage.values[head]) }

    /// Whether the next `append` pushes the oldest reading out.
    var isFull: Bool { count == capacity }

    /// Evicts what the window no longer covers at `time`.
    mutating func evict(now time: Int64) {
        while oldestIsDue(now: time) { removeOldest() }
    }

    /// Removes the oldest reading and returns it (the caller checked `count > 0`).
    @discardableResult
    mutating func removeOldest() -> (time: Int64, value: Double) {
        makeUnique()
        let slot = head
        let t = storage.times[slot], v = storage.values[slot]
        removeAt(Int(storage.position[slot]), storage.side[slot])
        head += 1
        if head == capacity { head = 0 }
        count -= 1
        sum -= v
        countRemoval()
        rebalance()
        return (t, v)
    }

    mutating func append(time: Int64, value: Double) {
        evict(now: time)
        if count == capacity {
            if count > 1 {
                replaceOldest(time: time, value: value)
                return
            }
            removeOldest()
        }
        makeUnique()
        var slot = head + count
        if slot >= capacity { slot -= capacity }
        storage.times[slot] = time
        storage.values[slot] = value
        count += 1
        sum += value
        if lowCount == 0 || value <= storage.values[Int(storage.heap[0])] {
            push(slot: slot, side: 0)
        } else {
            push(slot: slot, side: 1)
        }
        rebalance()
    }

    /// A full window's steady state: the oldest slot takes the new reading in place, one sift
    /// restores its heap, and if the halves then overlap their tops swap — no heap changes size,
    /// so nothing needs rebalancing (bottleneck's `move_median` update).
    private mutating func replaceOldest(time: Int64, value: Double) {
        makeUnique()
        let slot = head
        head += 1
        if head == capacity { head = 0 }
        sum += value - storage.values[slot]
        storage.times[slot] = time
        storage.values[slot] = value
        countRemoval()
        let s = storage.side[slot]
        let i = Int(storage.position[slot])
        let keys = storage.keys + base(s)
        let k = s == 0 ? -value : value
        keys[i] = k
        if i > 0 && k < keys[(i - 1) / 2] { siftUp(i, s) } else { siftDown(i, s) }
        guard lowCount > 0, highCount > 0 else { return }
        let low = storage.heap, high = storage.heap + capacity
        let lowKeys = storage.keys, highKeys = storage.keys + capacity
        // The lower half's top (its largest value, stored negated) above the upper half's?
        if -lowKeys[0] > highKeys[0] {
            let lowTop = low[0], highTop = high[0]
            let lowTopKey = lowKeys[0], highTopKey = highKeys[0]
            low[0] = highTop
            lowKeys[0] = -highTopKey
            high[0] = lowTop
            highKeys[0] = -lowTopKey
            storage.side[Int(highTop)] = 0
            storage.side[Int(lowTop)] = 1
            storage.position[Int(highTop)] = 0
            storage.position[Int(lowTop)] = 0
            siftDown(0, 0)
            siftDown(0, 1)
        }
    }

    @inline(__always)
    private mutating func countRemoval() {
        removalsSinceRecompute += 1
        guard removalsSinceRecompute >= capacity else { return }
        removalsSinceRecompute = 0
        var total = 0.0
        var i = head
        for _ in 0..<count {
            total += storage.values[i]
            i += 1
            if i == capacity { i = 0 }
        }
        sum = total
    }

    @inline(__always)
    private mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
    }

    // MARK: heap plumbing — one min-heap routine; the lower half stores negated values.
    //
    // Each heap entry keeps its key beside its slot number (`keys` parallels `heap`), so a
    // comparison reads the heap's own contiguous memory instead of chasing the slot into
    // `values`: one dependent load less per level on the hottest loop of `mad`.

    @inline(__always)
    private func base(_ s: UInt8) -> Int { s == 0 ? 0 : capacity }

    @inline(__always)
    private func heapCount(_ s: UInt8) -> Int { s == 0 ? lowCount : highCount }

    private mutating func push(slot: Int, side s: UInt8) {
        let n = heapCount(s)
        storage.heap[base(s) + n] = Int32(slot)
        let v = storage.values[slot]
        storage.keys[base(s) + n] = s == 0 ? -v : v
        storage.side[slot] = s
        storage.position[slot] = Int32(n)
        if s == 0 { lowCount += 1 } else { highCount += 1 }
        siftUp(n, s)
    }

    /// Removes and returns the top slot of a heap.
    private mutating func popTop(_ s: UInt8) -> Int32 {
        let top = storage.heap[base(s)]
        removeAt(0, s)
        return top
    }

    private mutating func removeAt(_ i: Int, _ s: UInt8) {
        let h = storage.heap + base(s), keys = storage.keys + base(s)
        let last = heapCount(s) - 1
        if s == 0 { lowCount -= 1 } else { highCount -= 1 }
        guard i != last else { return }
        let moved = h[last]
        h[i] = moved
        keys[i] = keys[last]
        storage.position[Int(moved)] = Int32(i)
        if i > 0 && keys[i] < keys[(i - 1) / 2] {
            siftUp(i, s)
        } else {
            siftDown(i, s)
        }
    }

    private func siftUp(_ start: Int, _ s: UInt8) {
        let h = storage.heap + base(s), keys = storage.keys + base(s), position = storage.position
        var i = start
        let item = h[i]
        let k = keys[i]
        while i > 0 {
            let parent = (i - 1) / 2
            let pk = keys[parent]
            guard k < pk else { break }
            let p = h[parent]
            h[i] = p
            keys[i] = pk
            position[Int(p)] = Int32(i)
            i = parent
        }
        h[i] = item
        keys[i] = k
        position[Int(item)] = Int32(i)
    }

    private func siftDown(_ start: Int, _ s: UInt8) {
        let h = storage.heap + base(s), keys = storage.keys + base(s), position = storage.position
        let n = heapCount(s)
        var i = start
        let item = h[i]
        let k = keys[i]
        while true {
            var child = 2 * i + 1
            guard child < n else { break }
            var ck = keys[child]
            if child + 1 < n {
                let rk = keys[child + 1]
                if rk < ck { child += 1; ck = rk }
            }
            guard ck < k else { break }
            let c = h[child]
            h[i] = c
            keys[i] = ck
            position[Int(c)] = Int32(i)
            i = child
        }
        h[i] = item
        keys[i] = k
        position[Int(item)] = Int32(i)
    }

    /// Restores |low| − |high| ∈ {0, 1}. Moving a heap's top keeps max(low) ≤ min(high).
    private mutating func rebalance() {
        while lowCount > highCount + 1 {
            let top = popTop(0)
            push(slot: Int(top), side: 1)
        }
        while highCount > lowCount {
            let top = popTop(1)
            push(slot: Int(top), side: 0)
        }
    }
}

/// The raw buffers of a `RollingMedian`: ring of times and values by slot, each slot's heap
/// side and position, and the two heaps of slot numbers.
final class MedianStorage: @unchecked Sendable {
    // @unchecked: mutated only through a uniquely referenced `RollingMedian` (copy-on-write).
    let capacity: Int
    let times: UnsafeMutablePointer<Int64>
    let values: UnsafeMutablePointer<Double>
    let side: UnsafeMutablePointer<UInt8>
    let position: UnsafeMutablePointer<Int32>
    let heap: UnsafeMutablePointer<Int32>
    /// The key of each heap entry (the value, negated in the lower half), parallel to `heap`.
    let keys: UnsafeMutablePointer<Double>

    init(capacity: Int) {
        self.capacity = capacity
        times = .allocate(capacity: capacity)
        times.initialize(repeating: 0, count: capacity)
        values = .allocate(capacity: capacity)
        values.initialize(repeating: 0, count: capacity)
        side = .allocate(capacity: capacity)
        side.initialize(repeating: 0, count: capacity)
        position = .allocate(capacity: capacity)
        position.initialize(repeating: 0, count: capacity)
        heap = .allocate(capacity: 2 * capacity)
        heap.initialize(repeating: 0, count: 2 * capacity)
        keys = .allocate(capacity: 2 * capacity)
        keys.initialize(repeating: 0, count: 2 * capacity)
    }

    func copy() -> MedianStorage {
        let c = MedianStorage(capacity: capacity)
        c.times.update(from: times, count: capacity)
        c.values.update(from: values, count: capacity)
        c.side.update(from: side, count: capacity)
        c.position.update(from: position, count: capacity)
        c.heap.update(from: heap, count: 2 * capacity)
        c.keys.update(from: keys, count: 2 * capacity)
        return c
    }

    deinit {
        times.deallocate()
        values.deallocate()
        side.deallocate()
        position.deallocate()
        heap.deallocate()
        keys.deallocate()
    }
}

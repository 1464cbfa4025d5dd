/// The median of a rolling window (by count or time) in O(log w) per reading, O(1) to read.
///
/// Written by hand as an *indexed double heap* (the structure behind bottleneck's
/// `move_median`): the lower half of the window sits in a max-heap, the upper half in a
/// min-heap, and every window slot remembers where it is in its heap, so the reading that
/// leaves the window is deleted in O(log w) without a search and nothing is ever re-sorted.
/// Both heaps live in flat arrays of slot numbers: no allocation after `init`, cache-friendly,
/// and cheaper than a balanced tree or skiplist for the window sizes detectors use (≤ 10⁴).
struct RollingMedian {
    private var ring: WindowRing
    /// Heap side of each slot: 0 = lower half (max-heap), 1 = upper half (min-heap).
    private var side: [UInt8]
    /// Position of each slot inside its heap.
    private var position: [Int32]
    /// Slots of the lower half (max-heap) then, from `capacity`, the upper half (min-heap).
    private var heap: [Int32]
    private var lowCount = 0
    private var highCount = 0

    init(_ length: WindowLength) {
        ring = WindowRing(length)
        let c = length.capacity
        side = [UInt8](repeating: 0, count: c)
        position = [Int32](repeating: 0, count: c)
        heap = [Int32](repeating: 0, count: 2 * c)
    }

    var count: Int { ring.count }

    /// The median of the window (mean of the two middle values for an even count); NaN if empty.
    var median: Double {
        if lowCount == 0 { return .nan }
        let lowTop = ring.values[Int(heap[0])]
        if lowCount > highCount { return lowTop }
        return 0.5 * (lowTop + ring.values[Int(heap[capacity])])
    }

    private var capacity: Int { ring.capacity }

    /// Evicts what the window no longer covers at `time`.
    mutating func evict(now time: Int64) {
        while ring.oldestIsDue(now: time) { removeOldest() }
    }

    /// Whether the oldest reading must leave before one at `time` enters.
    func oldestIsDue(now time: Int64) -> Bool { ring.oldestIsDue(now: time) }

    /// Removes the oldest reading and returns it (the caller checked `count > 0`).
    @discardableResult
    mutating func removeOldest() -> (time: Int64, value: Double) {
        let slot = ring.head
        let t = ring.times[slot]
        removeFromHeap(slot: slot)
        let v = ring.removeOldest()
        rebalance()
        return (t, v)
    }

    mutating func append(time: Int64, value: Double) {
        evict(now: time)
        let slot = ring.nextSlot
        ring.append(time: time, value: value)
        if lowCount == 0 || value <= ring.values[Int(heap[0])] {
            push(slot: slot, side: 0)
        } else {
            push(slot: slot, side: 1)
        }
        rebalance()
    }

    // MARK: heap plumbing — one min-heap routine; the lower half compares negated values.

    @inline(__always)
    private func key(_ slot: Int32, _ s: UInt8) -> Double {
        let v = ring.values[Int(slot)]
        return s == 0 ? -v : v
    }

    @inline(__always)
    private func base(_ s: UInt8) -> Int { s == 0 ? 0 : capacity }

    @inline(__always)
    private func heapCount(_ s: UInt8) -> Int { s == 0 ? lowCount : highCount }

    private mutating func push(slot: Int, side s: UInt8) {
        let n = heapCount(s)
        heap[base(s) + n] = Int32(slot)
        side[slot] = s
        position[slot] = Int32(n)
        if s == 0 { lowCount += 1 } else { highCount += 1 }
        siftUp(n, s)
    }

    /// Removes and returns the top slot of a heap.
    private mutating func popTop(_ s: UInt8) -> Int32 {
        let top = heap[base(s)]
        removeAt(0, s)
        return top
    }

    private mutating func removeFromHeap(slot: Int) {
        removeAt(Int(position[slot]), side[slot])
    }

    private mutating func removeAt(_ i: Int, _ s: UInt8) {
        let b = base(s)
        let last = heapCount(s) - 1
        if s == 0 { lowCount -= 1 } else { highCount -= 1 }
        guard i != last else { return }
        let moved = heap[b + last]
        heap[b + i] = moved
        position[Int(moved)] = Int32(i)
        if i > 0 && key(moved, s) < key(heap[b + (i - 1) / 2], s) {
            siftUp(i, s)
        } else {
            siftDown(i, s)
        }
    }

    private mutating func siftUp(_ start: Int, _ s: UInt8) {
        let b = base(s)
        var i = start
        let item = heap[b + i]
        let k = key(item, s)
        while i > 0 {
            let parent = (i - 1) / 2
            let p = heap[b + parent]
            guard k < key(p, s) else { break }
            heap[b + i] = p
            position[Int(p)] = Int32(i)
            i = parent
        }
        heap[b + i] = item
        position[Int(item)] = Int32(i)
    }

    private mutating func siftDown(_ start: Int, _ s: UInt8) {
        let b = base(s)
        let n = heapCount(s)
        var i = start
        let item = heap[b + i]
        let k = key(item, s)
        while true {
            var child = 2 * i + 1
            guard child < n else { break }
            var ck = key(heap[b + child], s)
            if child + 1 < n {
                let rk = key(heap[b + child + 1], s)
                if rk < ck { child += 1; ck = rk }
            }
            guard ck < k else { break }
            let c = heap[b + child]
            heap[b + i] = c
            position[Int(c)] = Int32(i)
            i = child
        }
        heap[b + i] = item
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

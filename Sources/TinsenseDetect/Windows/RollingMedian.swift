/// The median of a rolling window (by count or time) in O(log w) per reading, O(1) to read.
///
/// Written by hand as an *indexed double heap* (the structure behind bottleneck's
/// `move_median`): the lower half of the window sits in a max-heap, the upper half in a
/// min-heap, and every window slot remembers where it is in its heap, so the reading that
/// leaves the window is deleted in O(log w) without a search and nothing is ever re-sorted.
/// Both heaps live in flat buffers of slot numbers: cache-friendly, and cheaper than a
/// balanced tree or skiplist for the window sizes detectors use (≤ 10⁴).
///
/// Memory grows with the series: the buffers start at `initialSlots` and double (up to the
/// window's bound) when the window is full of what they hold, so a sensor that has sent one
/// reading costs a few hundred bytes, not the whole window. A slot costs its heap entry (slot
/// number and key, each heap sized for half the window) and its heap position with the side
/// in the position's top bit: 8 + 2 + 2 = 12 bytes with double keys and 16-bit indices
/// (windows up to `maxBound` = 65,530), 8 with `Float` keys (for statistics whose relative
/// precision is enough, such as distances), 16 with 32-bit indices. A value is read back from
/// its heap key (exactly: the lower half stores it negated), not kept twice; times are kept
/// only for a time window or when the caller reads them (`keepsTimes`), 8 bytes more. Growing renumbers the slots but keeps every heap's
/// order, so the medians and means are the same as with the buffers allocated whole.
///
/// The buffers are raw memory in a class with copy-on-write checked once per operation (not
/// once per element access as `Array` would), which is what keeps the detector set within
/// its per-reading budget; a copied detector still behaves as an independent value.
struct IndexedMedian<Key: BinaryFloatingPoint & Sendable, Index: FixedWidthInteger & UnsignedInteger & Sendable> {
    /// Slots allocated for a new window (or the bound, if smaller).
    static var initialSlots: Int { 16 }
    /// The largest window this index width can address: every slot number fits an `Index`,
    /// and every heap position fits one with its top bit free for the heap side.
    static var maxBound: Int { min(Int(Index.max), 2 * (Int(Index.max >> 1) - 2)) }
    private var storage: MedianStorage<Key, Index>
    private let length: WindowLength
    /// The most readings the window holds (`length.capacity`).
    private let bound: Int
    private let keepsTimes: Bool
    /// Keys hold `value − origin` (`relative` windows, for `Float` keys of values far from 0:
    /// a `Float` of 101,325.25 is off by 0.004, one of its distance from the window's median
    /// by a part in 2²⁴ of that distance). The origin moves to the median every `bound`
    /// removals (with the recompute of `sum`) and when the buffers grow; 0 and fixed otherwise.
    private let relative: Bool
    private var origin = 0.0
    private var head = 0
    private(set) var count = 0
    private var lowCount = 0
    private var highCount = 0
    /// Sum of the window's values (for `mean`), recomputed every `bound` removals so
    /// rounding cannot accumulate.
    private var sum = 0.0
    private var removalsSinceRecompute = 0

    /// - Parameter keepsTimes: keep each reading's time for `oldest`/`removeOldest` even in a
    ///   count window (a time window always keeps them: it evicts by them).
    ///   `relative`: keys hold each value's distance from a moving origin (see `origin`).
    init(_ length: WindowLength, keepsTimes: Bool = false, relative: Bool = false) {
        self.length = length
        self.relative = relative
        bound = max(1, length.capacity)
        precondition(bound <= Self.maxBound, "window of \(bound) readings needs a wider index than \(Index.self)")
        if case .duration = length { self.keepsTimes = true } else { self.keepsTimes = keepsTimes }
        storage = MedianStorage<Key, Index>(slots: min(bound, Self.initialSlots), keepsTimes: self.keepsTimes)
    }

    /// The median of the window (mean of the two middle values for an even count); NaN if empty.
    var median: Double {
        if lowCount == 0 { return .nan }
        let lowTop = -Double(storage.keys[0])
        if lowCount > highCount { return absolute(lowTop) }
        return absolute(0.5 * (lowTop + Double(storage.keys[storage.heapSlots])))
    }

    /// The mean of the window; NaN if empty.
    var mean: Double { count == 0 ? .nan : sum / Double(count) }

    /// Whether the oldest reading is older than a time window reaches at `time` (count
    /// windows never expire by time; a full window makes room in `append`).
    @inline(__always)
    func oldestIsDue(now time: Int64) -> Bool {
        guard count > 0, case .duration(let ms, _) = length else { return false }
        return time - storage.times![head] >= ms
    }

    /// The oldest reading (the caller checked `count > 0`); its time is 0 unless times are kept.
    var oldest: (time: Int64, value: Double) { (storage.times?[head] ?? 0, value(at: head)) }

    /// Whether the next `append` pushes the oldest reading out.
    var isFull: Bool { count == bound }

    /// Evicts what the window no longer covers at `time`.
    mutating func evict(now time: Int64) {
        while oldestIsDue(now: time) { removeOldest() }
    }

    /// The value in `slot`, from its heap key.
    @inline(__always)
    private func value(at slot: Int) -> Double {
        let p = storage.position[slot]
        let i = Int(p & MedianStorage<Key, Index>.positionMask)
        return absolute(p < MedianStorage<Key, Index>.sideBit ? -Double(storage.keys[i]) : Double(storage.keys[storage.heapSlots + i]))
    }

    /// `d` clamped to the finite range of a key narrower than `Double` (a reading 10³⁹ from
    /// the median is held as 3.4·10³⁸ from it, not as infinity, which would poison the sum);
    /// unchanged for `Double` keys.
    @inline(__always)
    private static func inRange(_ d: Double) -> Double {
        guard MemoryLayout<Key>.size < MemoryLayout<Double>.size else { return d }
        let limit = Double(Key.greatestFiniteMagnitude)
        return d > limit ? limit : d < -limit ? -limit : d
    }

    /// `exact` as the window holds it: rounded to `Key`, in key space (so the running sum adds
    /// what a removal will subtract).
    @inline(__always)
    private func key(_ exact: Double) -> Double {
        Double(Key(Self.inRange(relative ? exact - origin : exact)))
    }

    /// A value from its key-space form (`value − origin` for a relative window).
    @inline(__always)
    private func absolute(_ d: Double) -> Double { relative ? origin + d : d }

    /// The heap side of `slot` (0: lower half) and its position there.
    @inline(__always)
    private func place(_ slot: Int) -> (side: UInt8, position: Int) {
        let p = storage.position[slot]
        return (p < MedianStorage<Key, Index>.sideBit ? 0 : 1, Int(p & MedianStorage<Key, Index>.positionMask))
    }

    /// A heap position tagged with its side, as `position` stores it.
    @inline(__always)
    private static func tagged(_ i: Int, _ s: UInt8) -> Index {
        s == 0 ? Index(truncatingIfNeeded: i) : Index(truncatingIfNeeded: i) | MedianStorage<Key, Index>.sideBit
    }

    /// Removes the oldest reading and returns it (the caller checked `count > 0`).
    @discardableResult
    mutating func removeOldest() -> (time: Int64, value: Double) {
        makeUnique()
        let slot = head
        let t = storage.times?[slot] ?? 0, v = value(at: slot)
        let (s, i) = place(slot)
        removeAt(i, s)
        head += 1
        if head == storage.slots { head = 0 }
        count -= 1
        sum -= v
        countRemoval()
        rebalance()
        return (t, v)
    }

    mutating func append(time: Int64, value exact: Double) {
        evict(now: time)
        if count == bound && count <= 1 { removeOldest() }
        if count == bound {
            let d = key(exact)
            replaceOldest(time: time, value: absolute(d), key: d)
            return
        }
        makeUnique()
        if count == storage.slots { grow() }
        if relative && count == 0 { origin = exact }
        let d = key(exact)
        let value = absolute(d)
        var slot = head + count
        if slot >= storage.slots { slot -= storage.slots }
        storage.times?[slot] = time
        count += 1
        sum += value
        if lowCount == 0 || d <= -Double(storage.keys[0]) {
            push(slot: slot, side: 0, key: d)
        } else {
            push(slot: slot, side: 1, key: d)
        }
        rebalance()
    }

    /// Doubles the buffers (up to `bound`), moving the oldest reading to slot 0. Every heap
    /// keeps its entries in the same order, only renamed to the new slot numbers.
    private mutating func grow() {
        let old = storage
        let new = MedianStorage<Key, Index>(slots: min(bound, 2 * old.slots), keepsTimes: keepsTimes)
        for k in 0..<count {
            var o = head + k
            if o >= old.slots { o -= old.slots }
            new.position[k] = old.position[o]
            new.times?[k] = old.times![o]
        }
        for (s, n) in [(0, lowCount), (1, highCount)] {
            let from = s * old.heapSlots, to = s * new.heapSlots
            for i in 0..<n {
                var o = Int(old.heap[from + i]) - head
                if o < 0 { o += old.slots }
                new.heap[to + i] = Index(truncatingIfNeeded: o)
                new.keys[to + i] = old.keys[from + i]
            }
        }
        storage = new
        head = 0
        // A young window's origin is its first reading, perhaps an outlier: re-take it at the
        // median while the whole window is being rewritten anyway.
        if relative {
            moveOrigin(to: median)
            recomputeSum()
        }
    }

    /// A full window's steady state: the oldest slot takes the new reading in place, one sift
    /// restores its heap, and if the halves then overlap their tops swap — no heap changes size,
    /// so nothing needs rebalancing (bottleneck's `move_median` update).
    private mutating func replaceOldest(time: Int64, value: Double, key d: Double) {
        makeUnique()
        // After the slot holds its new value and the heaps their order: a recompute sums the
        // window as it now is (and may move the origin).
        defer { countRemoval() }
        let slot = head
        head += 1
        if head == storage.slots { head = 0 }
        sum += value - self.value(at: slot)
        storage.times?[slot] = time
        let (s, i) = place(slot)
        let keys = storage.keys + base(s)
        let k = s == 0 ? -Key(d) : Key(d)
        keys[i] = k
        if i > 0 && k < keys[(i - 1) / 2] { siftUp(i, s) } else { siftDown(i, s) }
        guard lowCount > 0, highCount > 0 else { return }
        let low = storage.heap, high = storage.heap + storage.heapSlots
        let lowKeys = storage.keys, highKeys = storage.keys + storage.heapSlots
        // The lower half's top (its largest value, stored negated) above the upper half's?
        if -lowKeys[0] > highKeys[0] {
            let lowTop = low[0], highTop = high[0]
            let lowTopKey = lowKeys[0], highTopKey = highKeys[0]
            low[0] = highTop
            lowKeys[0] = -highTopKey
            high[0] = lowTop
            highKeys[0] = -lowTopKey
            storage.position[Int(highTop)] = Self.tagged(0, 0)
            storage.position[Int(lowTop)] = Self.tagged(0, 1)
            siftDown(0, 0)
            siftDown(0, 1)
        }
    }

    @inline(__always)
    private mutating func countRemoval() {
        removalsSinceRecompute += 1
        guard removalsSinceRecompute >= bound else { return }
        removalsSinceRecompute = 0
        if relative && count > 0 { moveOrigin(to: median) }
        recomputeSum()
    }

    /// The sum of the window's values as they are held now.
    private mutating func recomputeSum() {
        var total = 0.0
        var i = head
        for _ in 0..<count {
            total += value(at: i)
            i += 1
            if i == storage.slots { i = 0 }
        }
        sum = total
    }

    /// Re-expresses every key against `newOrigin`. Rounding to nearest is monotone and
    /// symmetric, so every heap keeps its order and the lower half's top stays at most the
    /// upper half's: no entry moves. (The caller made the storage unique.)
    private mutating func moveOrigin(to newOrigin: Double) {
        let shift = origin - newOrigin
        guard shift != 0, shift.isFinite else { return }
        let low = storage.keys, high = storage.keys + storage.heapSlots
        for i in 0..<lowCount { low[i] = -Key(Self.inRange(-Double(low[i]) + shift)) }
        for i in 0..<highCount { high[i] = Key(Self.inRange(Double(high[i]) + shift)) }
        origin = newOrigin
    }

    @inline(__always)
    private mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
    }

    // MARK: heap plumbing — one min-heap routine; the lower half stores negated values.
    //
    // Each heap entry keeps its key beside its slot number (`keys` parallels `heap`), so a
    // comparison reads the heap's own contiguous memory instead of chasing the slot: one
    // dependent load less per level on the hottest loop of `mad`.

    @inline(__always)
    private func base(_ s: UInt8) -> Int { s == 0 ? 0 : storage.heapSlots }

    @inline(__always)
    private func heapCount(_ s: UInt8) -> Int { s == 0 ? lowCount : highCount }

    /// Pushes `slot` holding the key-space value `d` (exactly representable as a `Key`).
    private mutating func push(slot: Int, side s: UInt8, key d: Double) {
        let n = heapCount(s)
        storage.heap[base(s) + n] = Index(truncatingIfNeeded: slot)
        storage.keys[base(s) + n] = s == 0 ? -Key(d) : Key(d)
        storage.position[slot] = Self.tagged(n, s)
        if s == 0 { lowCount += 1 } else { highCount += 1 }
        siftUp(n, s)
    }

    /// Removes the top slot of a heap; returns it and its key-space value.
    private mutating func popTop(_ s: UInt8) -> (slot: Index, key: Double) {
        let top = storage.heap[base(s)]
        let key = Double(storage.keys[base(s)])
        removeAt(0, s)
        return (top, s == 0 ? -key : key)
    }

    private mutating func removeAt(_ i: Int, _ s: UInt8) {
        let h = storage.heap + base(s), keys = storage.keys + base(s)
        let last = heapCount(s) - 1
        if s == 0 { lowCount -= 1 } else { highCount -= 1 }
        guard i != last else { return }
        let moved = h[last]
        h[i] = moved
        keys[i] = keys[last]
        storage.position[Int(moved)] = Self.tagged(i, s)
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
            position[Int(p)] = Self.tagged(i, s)
            i = parent
        }
        h[i] = item
        keys[i] = k
        position[Int(item)] = Self.tagged(i, s)
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
            position[Int(c)] = Self.tagged(i, s)
            i = child
        }
        h[i] = item
        keys[i] = k
        position[Int(item)] = Self.tagged(i, s)
    }

    /// Restores |low| − |high| ∈ {0, 1}. Moving a heap's top keeps max(low) ≤ min(high).
    private mutating func rebalance() {
        while lowCount > highCount + 1 {
            let top = popTop(0)
            push(slot: Int(top.slot), side: 1, key: top.key)
        }
        while highCount > lowCount {
            let top = popTop(1)
            push(slot: Int(top.slot), side: 0, key: top.key)
        }
    }
}

/// The raw buffers of an `IndexedMedian`, in one allocation: each ring slot's heap position
/// tagged with its side (and its time, when kept), and the two heaps of slot numbers with
/// their keys.
///
/// Each heap has room for `slots / 2 + 2` entries: after a rebalance the halves hold
/// ⌈n/2⌉ and ⌊n/2⌋ of the n ≤ `slots` readings, and a push before the next rebalance adds one.
final class MedianStorage<Key: BinaryFloatingPoint & Sendable, Index: FixedWidthInteger & UnsignedInteger & Sendable>: @unchecked Sendable {
    // @unchecked: mutated only through a uniquely referenced `IndexedMedian` (copy-on-write).
    /// The top bit of a `position` entry: set for the upper half.
    static var sideBit: Index { Index(1) << (Index.bitWidth - 1) }
    static var positionMask: Index { ~sideBit }
    let slots: Int
    /// Entries per heap: the upper half's entries start at this index of `heap` and `keys`.
    let heapSlots: Int
    private let bytes: Int
    private let raw: UnsafeMutableRawPointer
    let times: UnsafeMutablePointer<Int64>?
    /// The key of each heap entry (the value, negated in the lower half), parallel to `heap`.
    let keys: UnsafeMutablePointer<Key>
    let heap: UnsafeMutablePointer<Index>
    /// Each ring slot's position in its heap, its side in the top bit.
    let position: UnsafeMutablePointer<Index>

    init(slots: Int, keepsTimes: Bool) {
        self.slots = slots
        heapSlots = slots / 2 + 2
        // Widest first, so every part is aligned: times (8), keys (8 or 4), heap and positions.
        let timeBytes = keepsTimes ? slots * 8 : 0
        let keyBytes = 2 * heapSlots * MemoryLayout<Key>.stride
        let heapBytes = 2 * heapSlots * MemoryLayout<Index>.stride
        let positionBytes = slots * MemoryLayout<Index>.stride
        bytes = timeBytes + keyBytes + heapBytes + positionBytes
        raw = .allocate(byteCount: bytes, alignment: 8)
        raw.initializeMemory(as: UInt8.self, repeating: 0, count: bytes)
        times = keepsTimes ? raw.assumingMemoryBound(to: Int64.self) : nil
        keys = (raw + timeBytes).bindMemory(to: Key.self, capacity: 2 * heapSlots)
        heap = (raw + timeBytes + keyBytes).bindMemory(to: Index.self, capacity: 2 * heapSlots)
        position = (raw + timeBytes + keyBytes + heapBytes).bindMemory(to: Index.self, capacity: slots)
    }

    func copy() -> MedianStorage {
        let c = MedianStorage(slots: slots, keepsTimes: times != nil)
        c.raw.copyMemory(from: raw, byteCount: bytes)
        return c
    }

    deinit { raw.deallocate() }
}

/// The exact rolling median with double keys and 32-bit indices: any window size.
typealias RollingMedian = IndexedMedian<Double, UInt32>

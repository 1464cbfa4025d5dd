/// The arrival order of a rolling window: a ring of (time, value) that says which reading
/// leaves next, for count windows and time windows alike.
///
/// The order-statistics and moment structures keep their own indexes; this ring only answers
/// "is the oldest reading due to leave?" so eviction is O(1) per reading. The buffers are raw
/// memory in a class with copy-on-write checked once per write (as `RollingMedian`'s), not an
/// `Array`'s uniqueness and bounds checks on every element access.
struct WindowRing {
    let length: WindowLength
    private var storage: RingStorage
    let capacity: Int
    private(set) var head = 0
    private(set) var count = 0

    init(_ length: WindowLength) {
        self.length = length
        capacity = max(1, length.capacity)
        storage = RingStorage(capacity: capacity)
    }

    var isEmpty: Bool { count == 0 }
    var oldestValue: Double { storage.values[head] }
    /// The value in ring slot `slot` (0..<capacity).
    @inline(__always)
    func value(at slot: Int) -> Double { storage.values[slot] }
    /// Slot (0..<capacity) the next appended reading will occupy.
    var nextSlot: Int {
        let s = head + count
        return s >= capacity ? s - capacity : s
    }

    /// Whether the oldest reading is older than a time window reaches at `now` (count
    /// windows never expire by time; a full window makes room on append).
    @inline(__always)
    func oldestIsDue(now: Int64) -> Bool {
        guard count > 0, case .duration(let ms, _) = length else { return false }
        return now - storage.times[head] >= ms
    }

    var isFull: Bool { count == capacity }

    /// Drops the oldest reading; returns its value.
    @discardableResult
    mutating func removeOldest() -> Double {
        let v = storage.values[head]
        head += 1
        if head == capacity { head = 0 }
        count -= 1
        return v
    }

    @inline(__always)
    mutating func append(time: Int64, value: Double) {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        let s = nextSlot
        storage.times[s] = time
        storage.values[s] = value
        count += 1
    }
}

/// Raw buffers of a `WindowRing`.
final class RingStorage: @unchecked Sendable {
    // @unchecked: mutated only through a uniquely referenced `WindowRing` (copy-on-write).
    let capacity: Int
    let times: UnsafeMutablePointer<Int64>
    let values: UnsafeMutablePointer<Double>

    init(capacity: Int) {
        self.capacity = capacity
        times = .allocate(capacity: capacity)
        times.initialize(repeating: 0, count: capacity)
        values = .allocate(capacity: capacity)
        values.initialize(repeating: 0, count: capacity)
    }

    func copy() -> RingStorage {
        let c = RingStorage(capacity: capacity)
        c.times.update(from: times, count: capacity)
        c.values.update(from: values, count: capacity)
        return c
    }

    deinit {
        times.deallocate()
        values.deallocate()
    }
}

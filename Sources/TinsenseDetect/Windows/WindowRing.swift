/// The arrival order of a rolling window: a ring of (time, value) that says which reading
/// leaves next, for count windows and time windows alike.
///
/// The order-statistics and moment structures keep their own indexes; this ring only answers
/// "is the oldest reading due to leave?" so eviction is O(1) per reading.
struct WindowRing {
    let length: WindowLength
    private(set) var times: [Int64]
    private(set) var values: [Double]
    private(set) var head = 0
    private(set) var count = 0

    init(_ length: WindowLength) {
        self.length = length
        times = [Int64](repeating: 0, count: length.capacity)
        values = [Double](repeating: 0, count: length.capacity)
    }

    var capacity: Int { times.count }
    var isEmpty: Bool { count == 0 }
    var oldestValue: Double { values[head] }
    /// Slot (0..<capacity) the next appended reading will occupy.
    var nextSlot: Int {
        let s = head + count
        return s >= capacity ? s - capacity : s
    }

    /// Whether the oldest reading is older than a time window reaches at `now` (count
    /// windows never expire by time; a full window makes room on append).
    func oldestIsDue(now: Int64) -> Bool {
        guard count > 0, case .duration(let ms, _) = length else { return false }
        return now - times[head] >= ms
    }

    var isFull: Bool { count == capacity }

    /// Drops the oldest reading; returns its value.
    @discardableResult
    mutating func removeOldest() -> Double {
        let v = values[head]
        head += 1
        if head == capacity { head = 0 }
        count -= 1
        return v
    }

    mutating func append(time: Int64, value: Double) {
        let s = nextSlot
        times[s] = time
        values[s] = value
        count += 1
    }
}

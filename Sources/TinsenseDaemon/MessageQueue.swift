import Foundation
import Synchronization
import TinsenseCore

/// The bounded hand-off between the libmosquitto network thread and the pipeline thread,
/// bounded in messages and in bytes (`mqtt.queue_capacity`, `mqtt.queue_max_mb`): a few
/// thousand messages of some MB each must not take all memory.
///
/// `push` blocks while either bound is reached (a message larger than the byte bound still
/// passes into an empty queue, or it could never pass): the network thread stops reading, TCP backpressure
/// reaches the broker, and the broker keeps the backlog (docs/LIBMOSQUITTO.md: measured, a
/// dropping buffer loses messages; this one never drops). Written on `NSCondition` because
/// both sides are plain threads, not async tasks.
final class MessageQueue: @unchecked Sendable {
    // @unchecked: every field is guarded by `condition`.
    private let condition = NSCondition()
    private var items: [IngestedMessage] = []
    private var head = 0
    private var closed = false
    private var bytes = 0
    let capacity: Int
    let maxBytes: Int
    private(set) var highWater = 0

    init(capacity: Int, maxBytes: Int = 64 << 20) {
        self.capacity = capacity
        self.maxBytes = maxBytes
        items.reserveCapacity(min(capacity, 1 << 16))
    }

    /// Waits for room, then enqueues. Returns false if the queue was closed.
    @discardableResult
    func push(_ message: IngestedMessage) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        let size = message.queuedBytes
        while !closed, items.count > head, items.count - head >= capacity || bytes + size > maxBytes { condition.wait() }
        guard !closed else { return false }
        items.append(message)
        bytes += size
        highWater = max(highWater, items.count - head)
        condition.broadcast()
        return true
    }

    /// Takes up to `max` messages, waiting at most `timeout` for the first. Returns an empty
    /// array on timeout, nil once closed and drained.
    func popBatch(max: Int, timeout: TimeInterval) -> [IngestedMessage]? {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date(timeIntervalSinceNow: timeout)
        while items.count == head && !closed {
            if !condition.wait(until: deadline) { return [] }
        }
        if items.count == head { return closed ? nil : [] }
        let end = min(items.count, head + max)
        let batch = Array(items[head..<end])
        for m in batch { bytes -= m.queuedBytes }
        head = end
        if head == items.count {
            items.removeAll(keepingCapacity: true)
            head = 0
        } else if head > capacity {
            items.removeFirst(head)
            head = 0
        }
        condition.broadcast()
        return batch
    }

    /// No more pushes; `popBatch` drains what is left and then returns nil.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    var depth: Int {
        condition.lock()
        defer { condition.unlock() }
        return items.count - head
    }

    /// When the oldest waiting message arrived (nil when the queue is empty): the pipeline lag.
    var oldestReceiveTime: Timestamp? {
        condition.lock()
        defer { condition.unlock() }
        return items.count > head ? items[head].receiveTime : nil
    }

    /// Bytes the queued messages hold (as `IngestedMessage.queuedBytes` counts them).
    var depthBytes: Int {
        condition.lock()
        defer { condition.unlock() }
        return bytes
    }
}

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
///
/// Keepalive under backpressure: a network thread held inside `on_message` sends nothing, so
/// the broker drops the connection after 1.5 × keepalive. `push(_:patience:)` therefore waits
/// at most `patience` (keepalive / 2) below the bounds; then it takes the message into a
/// small **reserve** above them (`reserve` messages, `reserveBytes` bytes) and returns, so
/// libmosquitto writes the PUBACK (a packet the broker counts as life) and reads the next
/// message. The broker sends a new message only for each PUBACK, so while the pipeline
/// stands still the reserve fills at one message per `patience` and the broker keeps the
/// rest of the backlog. Only once the reserve is full does `push` wait without limit (the
/// old behaviour: the broker drops the connection, and redelivers on reconnect).
final class MessageQueue: @unchecked Sendable {
    // @unchecked: every field is guarded by `condition`.
    private let condition = NSCondition()
    private var items: [IngestedMessage] = []
    private var head = 0
    private var closed = false
    private var bytes = 0
    private var reserveTaken = 0
    let capacity: Int
    let maxBytes: Int
    /// How far `push(_:patience:)` may go beyond `capacity` and `maxBytes` once its patience
    /// has run out: `capacity / 16` messages (at least 16) and `maxBytes / 8` bytes (at least
    /// 1 MB). Worst case held: `maxBytes + reserveBytes` + one message.
    let reserve: Int
    let reserveBytes: Int
    private var highWaterMark = 0

    init(capacity: Int, maxBytes: Int = 64 << 20) {
        self.capacity = capacity
        self.maxBytes = maxBytes
        reserve = max(16, capacity / 16)
        reserveBytes = max(1 << 20, maxBytes / 8)
        items.reserveCapacity(min(capacity + reserve, 1 << 16))
    }

    /// What `push` did with a message.
    enum Pushed: Equatable {
        case queued
        /// Taken into the reserve after `patience` ran out.
        case reserve
        /// The queue was closed (stop): the message was not taken.
        case closed
    }

    /// Waits for room below the bounds, then enqueues. With a finite `patience`, waits that
    /// long at most below the bounds and then takes the message into the reserve if it has
    /// room (waiting without limit only while the reserve is full too).
    @discardableResult
    func push(_ message: IngestedMessage, patience: TimeInterval = .infinity) -> Pushed {
        condition.lock()
        defer { condition.unlock() }
        let size = message.queuedBytes
        // No deadline for infinite patience: `wait(until: .distantFuture)` traps in Foundation.
        let deadline = patience.isFinite ? Date(timeIntervalSinceNow: patience) : nil
        var inReserve = false
        while !closed, items.count > head, items.count - head >= capacity || bytes + size > maxBytes {
            guard let deadline else {
                condition.wait()
                continue
            }
            if Date() >= deadline {
                if items.count - head < capacity + reserve && bytes + size <= maxBytes + reserveBytes {
                    inReserve = true
                    break
                }
                condition.wait()
            } else {
                _ = condition.wait(until: deadline)
            }
        }
        guard !closed else { return .closed }
        items.append(message)
        bytes += size
        if inReserve { reserveTaken += 1 }
        highWaterMark = max(highWaterMark, items.count - head)
        condition.broadcast()
        return inReserve ? .reserve : .queued
    }

    /// The most messages the queue has held at once. Read under the lock: the pipeline's stats
    /// line reads it while the network thread pushes (ThreadSanitizer reported the unlocked read).
    var highWater: Int {
        condition.lock()
        defer { condition.unlock() }
        return highWaterMark
    }

    /// Messages taken into the reserve so far (each one a keepalive served while the
    /// pipeline held the queue full).
    var reserveMessages: Int {
        condition.lock()
        defer { condition.unlock() }
        return reserveTaken
    }

    /// True when the reserve has no room left: a `push` with patience waits without limit.
    var reserveFull: Bool {
        condition.lock()
        defer { condition.unlock() }
        return items.count - head >= capacity + reserve || bytes >= maxBytes + reserveBytes
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

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
        let pushed = pushLocked(message, until: MessageQueue.deadline(patience))
        condition.broadcast()
        return pushed
    }

    /// `push` for each message in order, under one lock and with one wake-up of the consumer
    /// (a burst of QoS 0 messages); `messages` is left empty. Into an empty queue with room for
    /// all of them, the two buffers are swapped: nothing is copied. The patience is for the
    /// whole call, as for one message: once it has run out, the rest go into the reserve while
    /// it has room, so the network thread is back in libmosquitto's loop after `patience`
    /// unless the reserve is full. Returns `.closed` if the queue closed before all were taken
    /// (the rest are not), else `.reserve` if any went into the reserve.
    @discardableResult
    func push(moving messages: inout [IngestedMessage], patience: TimeInterval = .infinity) -> Pushed {
        condition.lock()
        defer {
            condition.unlock()
            messages.removeAll(keepingCapacity: true)
        }
        if !closed, items.count == head, messages.count <= capacity {
            var total = 0
            for i in messages.indices { total += messages[i].queuedBytes }
            if total <= maxBytes {
                items.removeAll(keepingCapacity: true)
                head = 0
                swap(&items, &messages)
                bytes = total
                highWaterMark = max(highWaterMark, items.count)
                condition.broadcast()
                return .queued
            }
        }
        let deadline = MessageQueue.deadline(patience)
        var result = Pushed.queued
        for i in messages.indices {
            switch pushLocked(messages[i], until: deadline) {
            case .closed:
                condition.broadcast()
                return .closed
            case .reserve: result = .reserve
            case .queued: break
            }
        }
        condition.broadcast()
        return result
    }

    /// No deadline for infinite patience: `wait(until: .distantFuture)` traps in Foundation.
    private static func deadline(_ patience: TimeInterval) -> Date? {
        patience.isFinite ? Date(timeIntervalSinceNow: patience) : nil
    }

    /// The body of `push`, under the lock (which `condition.wait` gives up while waiting).
    private func pushLocked(_ message: IngestedMessage, until deadline: Date?) -> Pushed {
        let size = message.queuedBytes
        var inReserve = false
        while !closed, items.count > head, items.count - head >= capacity || bytes + size > maxBytes {
            // The consumer may be waiting for what was appended before this wait.
            condition.broadcast()
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
        return inReserve ? .reserve : .queued
    }

    /// Whether `messages` more messages of `bytes` in all fit below both bounds now (so that
    /// pushing them would not wait).
    func hasRoom(messages: Int, bytes more: Int) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        return items.count - head + messages <= capacity && bytes + more <= maxBytes
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
        var batch: [IngestedMessage] = []
        return popBatch(max: max, timeout: timeout, into: &batch) ? batch : nil
    }

    /// `popBatch(max:timeout:)` into `batch`, which is emptied first and whose storage is
    /// reused: when the whole queue is taken the two buffers are swapped, so no message is
    /// copied or retained on the way (the pipeline thread's loop). Returns false once closed
    /// and drained.
    func popBatch(max: Int, timeout: TimeInterval, into batch: inout [IngestedMessage]) -> Bool {
        // Before the lock: releasing the last batch's messages takes time the network thread
        // would otherwise wait for.
        batch.removeAll(keepingCapacity: true)
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date(timeIntervalSinceNow: timeout)
        while items.count == head && !closed {
            if !condition.wait(until: deadline) { return true }
        }
        if items.count == head { return !closed }
        if head == 0 && items.count <= max {
            swap(&items, &batch)
            bytes = 0
        } else {
            let end = min(items.count, head + max)
            batch.append(contentsOf: items[head..<end])
            for i in head..<end { bytes -= items[i].queuedBytes }
            head = end
            if head == items.count {
                items.removeAll(keepingCapacity: true)
                head = 0
            } else if head > capacity {
                items.removeFirst(head)
                head = 0
            }
        }
        condition.broadcast()
        return true
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

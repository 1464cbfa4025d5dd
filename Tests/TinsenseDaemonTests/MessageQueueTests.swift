import Foundation
import Synchronization
import Testing
import TinsenseCore
import TinsenseStorage
@testable import TinsenseDaemon
import TinsenseSystem

private func message(payloadBytes: Int) -> IngestedMessage {
    IngestedMessage(
        record: WALRecord(receiveTime: Timestamp(millisecondsSinceEpoch: 0), qos: 1, topic: Array("t/a".utf8), payload: [UInt8](repeating: 0x31, count: payloadBytes)),
        walEnd: nil
    )
}

/// Set once by a pushing thread, read by the test.
private final class Flag: Sendable {
    private let state = Guarded(false)
    func set() { state.withLock { $0 = true } }
    var isSet: Bool { state.withLock { $0 } }
    /// Waits up to `timeout` seconds for `set()`.
    func wait(timeout: TimeInterval) -> Bool {
        let deadline = Date(timeIntervalSinceNow: timeout)
        while !isSet, Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        return isSet
    }
}

@Suite("hand-off queue")
struct MessageQueueTests {
    @Test("push(moving:) keeps order, swaps buffers into an empty queue, waits at most its patience once for the whole burst, then uses the reserve")
    func burstSharesOnePatience() {
        let queue = MessageQueue(capacity: 16, maxBytes: 1 << 30)
        var first = (0..<16).map { _ in message(payloadBytes: 1) }
        #expect(queue.push(moving: &first) == .queued)
        #expect(first.isEmpty && queue.depth == 16 && queue.depthBytes == 16 * message(payloadBytes: 1).queuedBytes)
        var burst = (0..<10).map { message(payloadBytes: $0 + 2) }
        let started = Date()
        #expect(queue.push(moving: &burst, patience: 0.2) == .reserve)
        #expect(burst.isEmpty)
        let waited = Date().timeIntervalSince(started)
        #expect(waited >= 0.19 && waited < 1.5, "one patience for the burst, not one per message: \(waited) s")
        #expect(queue.depth == 26 && queue.reserveMessages == 10)
        let all = queue.popBatch(max: 100, timeout: 0) ?? []
        #expect(all.suffix(10).map(\.payload.count) == (2..<12).map { $0 })
        var again = [message(payloadBytes: 1)]
        var batch: [IngestedMessage] = [message(payloadBytes: 9)]
        #expect(queue.push(moving: &again) == .queued)
        #expect(queue.popBatch(max: 10, timeout: 0, into: &batch) && batch.map(\.payload.count) == [1], "into: empties the buffer first")
        #expect(queue.depthBytes == 0)
        queue.close()
        var late = [message(payloadBytes: 1)]
        #expect(queue.push(moving: &late) == .closed)
        #expect(!queue.popBatch(max: 10, timeout: 0, into: &batch) && batch.isEmpty)
    }

    @Test("push waits while the queued bytes would exceed the byte bound, and resumes once the pipeline takes them")
    func byteBound() {
        let queue = MessageQueue(capacity: 1_000, maxBytes: 1 << 20)
        for _ in 0..<3 { queue.push(message(payloadBytes: 300_000)) }
        #expect(queue.depthBytes > 900_000)
        let pushed = Flag()
        let thread = Thread { queue.push(message(payloadBytes: 300_000)); pushed.set() }
        thread.start()
        Thread.sleep(forTimeInterval: 0.3)
        #expect(pushed.isSet == false, "a fourth 300 KB message must wait under a 1 MB bound")
        #expect(queue.depth == 3)
        #expect(queue.popBatch(max: 1, timeout: 1)?.count == 1)
        #expect(pushed.wait(timeout: 5))
        #expect(queue.depth == 3)
    }

    @Test("a message larger than the byte bound passes into an empty queue instead of wedging")
    func oversizedIntoEmptyQueue() {
        let queue = MessageQueue(capacity: 1_000, maxBytes: 1 << 20)
        queue.push(message(payloadBytes: 5 << 20))
        #expect(queue.depth == 1)
        #expect(queue.popBatch(max: 10, timeout: 1)?.first?.payload.count == 5 << 20)
        #expect(queue.depthBytes == 0)
    }

    @Test("the message bound still holds for small messages")
    func countBound() {
        let queue = MessageQueue(capacity: 16, maxBytes: 1 << 30)
        for _ in 0..<16 { queue.push(message(payloadBytes: 1)) }
        let pushed = Flag()
        let thread = Thread { queue.push(message(payloadBytes: 1)); pushed.set() }
        thread.start()
        Thread.sleep(forTimeInterval: 0.3)
        #expect(pushed.isSet == false)
        #expect(queue.popBatch(max: 16, timeout: 1)?.count == 16)
        #expect(pushed.wait(timeout: 5))
        #expect(queue.depth == 1)
    }

    @Test("with patience, a full queue holds a message that long, then takes it into the reserve; a full reserve waits again")
    func reserveAfterPatience() {
        let queue = MessageQueue(capacity: 16, maxBytes: 1 << 30)
        #expect(queue.reserve == 16)
        for _ in 0..<16 { #expect(queue.push(message(payloadBytes: 1), patience: 0.05) == .queued) }
        let started = Date()
        #expect(queue.push(message(payloadBytes: 1), patience: 0.2) == .reserve)
        #expect(Date().timeIntervalSince(started) >= 0.19)
        for _ in 1..<16 { #expect(queue.push(message(payloadBytes: 1), patience: 0) == .reserve) }
        #expect(queue.depth == 32)
        #expect(queue.reserveFull)
        #expect(queue.reserveMessages == 16)
        let pushed = Flag()
        let thread = Thread { queue.push(message(payloadBytes: 1), patience: 0); pushed.set() }
        thread.start()
        Thread.sleep(forTimeInterval: 0.3)
        #expect(pushed.isSet == false)
        // Order is kept: the pipeline takes the queued and reserved messages as they came.
        #expect(queue.popBatch(max: 32, timeout: 1)?.count == 32)
        #expect(pushed.wait(timeout: 5))
        #expect(queue.depth == 1)
    }
    @Test("the stats a pipeline thread reads (depth, bytes, high water, reserve) are consistent while another thread pushes; under ThreadSanitizer this is the race the unlocked high-water read was")
    func statsReadDuringTraffic() {
        let queue = MessageQueue(capacity: 64, maxBytes: 1 << 20)
        let done = Flag()
        let pusher = Thread {
            for _ in 0..<2_000 { queue.push(message(payloadBytes: 8)) }
            done.set()
        }
        pusher.start()
        var taken = 0
        var lastHighWater = 0
        while taken < 2_000 {
            let highWater = queue.highWater
            #expect(highWater >= lastHighWater, "the high-water mark never falls")
            #expect(highWater <= 64)
            lastHighWater = highWater
            _ = queue.depth
            _ = queue.depthBytes
            _ = queue.reserveMessages
            taken += queue.popBatch(max: 7, timeout: 1)?.count ?? 0
        }
        #expect(done.wait(timeout: 5))
        #expect(queue.highWater >= 1)
        #expect(queue.depth == 0)
    }
}

import Logging
import Metrics
import Synchronization
import TinsenseCore
import TinsenseMQTT
import TinsenseStorage
import TinsenseSystem

/// The durability hook on the libmosquitto network thread: WAL first, then the queue, and only
/// then may libmosquitto acknowledge the message.
///
/// QoS 0 messages, which nobody acknowledges, are held and written a burst at a time with
/// one `write(2)` (`coalescesQoS0`, docs/RELIABILITY.md "QoS 0 bursts"); the WAL-then-queue
/// order and the arrival order hold for them too.
///
/// When the WAL cannot be written (disk full, I/O error) or storage has asked ingestion to
/// pause, it waits and retries instead of returning: the message is never acknowledged
/// unwritten, the broker keeps the backlog, and ingestion resumes by itself.
///
/// A payload larger than `max_payload_bytes` is never a reason to wait (no retry makes it
/// smaller): the WAL records its first `keptPrefixBytes` bytes and its true size, the
/// pipeline quarantines it as `too_large`, and the message is acknowledged.
///
/// A full queue holds a message (already in the WAL) for at most `holdLimit` (keepalive / 2),
/// then puts it in the queue's reserve and returns (`MessageQueue.push(_:patience:)`), so the
/// PUBACK goes out and the broker keeps the connection while the pipeline is behind. A WAL
/// that cannot be written is different: that message is not durable, so the callback must
/// not return, and the broker drops the connection after 1.5 × keepalive (it redelivers on
/// reconnect; DESIGN: "stop taking messages").
final class IngestSink: MQTTMessageSink {
    let wal: WriteAheadLog
    let queue: MessageQueue
    let logger: Logger
    let clock: @Sendable () -> Timestamp
    /// Payloads up to this size are kept whole (never more than `WALFormat.maxPayloadBytes`).
    let maxPayloadBytes: Int
    /// How much of a larger payload the WAL keeps for the quarantine line.
    let keptPrefixBytes: Int
    /// Makes this run's connection numbers differ from every earlier run's, so a message
    /// the broker redelivers after a restart is seen to come on a new connection.
    let connectionBase: UInt32
    /// Tells the watchdog when a hand-off has been going on for too long.
    let health: HealthSignals?
    /// How long one message may wait for room in a full queue before it goes into the
    /// reserve (`SubscriberOptions.longestHold`; infinity: wait, never use the reserve).
    let holdLimit: Double
    /// True from the first message put in the reserve until the queue has room again, so the
    /// backpressure is logged once per episode.
    private let inReserve = Atomic<Bool>(false)
    private let reserveExhausted = Atomic<Bool>(false)
    private let pausedFlag = Atomic<Bool>(false)
    private let stalledFlag = Atomic<Bool>(false)
    /// Receive time (epoch ms) of the newest message, 0 before the first: `/metrics` reads it.
    private let lastReceiveMillis = Atomic<Int64>(0)
    private let receivedCounter = Counter(label: "tinsense_mqtt_messages_received_total")

    init(
        wal: WriteAheadLog, queue: MessageQueue, maxPayloadBytes: Int, keptPrefixBytes: Int,
        logger: Logger, clock: @escaping @Sendable () -> Timestamp, health: HealthSignals? = nil,
        holdLimit: Double = .infinity
    ) {
        self.health = health
        self.holdLimit = holdLimit
        self.wal = wal
        self.queue = queue
        maxHeldMessages = max(1, min(256, queue.capacity / 4))
        self.maxPayloadBytes = min(maxPayloadBytes, WALFormat.maxPayloadBytes)
        self.keptPrefixBytes = min(keptPrefixBytes, self.maxPayloadBytes)
        self.logger = logger
        self.clock = clock
        connectionBase = UInt32.random(in: 0...UInt32.max)
    }

    /// Storage asks ingestion to hold while it cannot seal (e.g. disk full).
    var paused: Bool {
        get { pausedFlag.load(ordering: .relaxed) }
        set { pausedFlag.store(newValue, ordering: .relaxed) }
    }

    /// When the newest message arrived from the broker (nil before the first).
    var lastReceive: Timestamp? {
        let ms = lastReceiveMillis.load(ordering: .relaxed)
        return ms == 0 ? nil : Timestamp(millisecondsSinceEpoch: ms)
    }

    /// True while the network thread is waiting for the WAL or for storage.
    var stalled: Bool { stalledFlag.load(ordering: .relaxed) }

    func receive(topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer, qos: UInt8, retained: Bool, packetID: Int32, connection: Int) {
        health?.handOffBegins()
        defer { health?.handOffEnds() }
        let delivery = WALDelivery(
            receiveTime: clock(), qos: qos, retained: retained,
            packetID: UInt16(truncatingIfNeeded: packetID),
            connection: connectionBase &+ UInt32(truncatingIfNeeded: connection),
            payloadBytes: payload.count
        )
        receivedCounter.increment()
        lastReceiveMillis.store(delivery.receiveTime.millisecondsSinceEpoch, ordering: .relaxed)
        let kept = payload.count <= maxPayloadBytes ? payload : UnsafeRawBufferPointer(rebasing: payload[0..<keptPrefixBytes])
        let record = WALRecord(
            receiveTime: delivery.receiveTime, qos: qos, topic: Array(topic), payload: Array(kept),
            retained: retained, packetID: delivery.packetID, connection: delivery.connection, payloadBytes: payload.count
        )
        held.withLock { h in
            // `add` cannot fail here (`kept` is at most `WALFormat.maxPayloadBytes`, which always
            // fits); if it ever did, the message would take the single-record path below.
            if qos == 0 && coalescesQoS0, (try? h.batch.add(delivery, topic: topic, payload: kept)) != nil {
                if h.messages.isEmpty { h.firstHeldMicros = MonotonicClock.microseconds() }
                h.messages.append(IngestedMessage(record: record, walEnd: nil))
                heldCount.store(h.messages.count, ordering: .relaxed)
                if h.messages.count >= maxHeldMessages || h.batch.bytes.count >= IngestSink.maxHeldBytes {
                    writeHeld(&h)
                }
                return
            }
            // Everything held came first and goes first, in the WAL and in the queue.
            writeHeld(&h)
            let end = durably { try wal.append(delivery, topic: topic, payload: kept) }
            // The message is durable: from here on, returning (and so the PUBACK) is safe.
            handOn(IngestedMessage(record: record, walEnd: end))
        }
    }

    /// QoS 0 messages are held and written a burst at a time (one `write(2)` instead of one
    /// each). Nobody acknowledges them and the broker never sends them again, so nothing the
    /// broker considers delivered waits here: a crash loses what is held, as it loses what is
    /// still unread in the socket, and no more than `maxHeldMessages` / `maxHeldBytes`.
    let coalescesQoS0 = true
    /// Bounds on what is held: a burst is written at the latest when one of them is reached
    /// (256 messages, or a quarter of a smaller queue, so that it always fits in the queue).
    let maxHeldMessages: Int
    static let maxHeldBytes = 256 << 10
    /// The pipeline thread writes what is held once the oldest has waited this long
    /// (`writeHeldIfStale`): for a burst whose end the socket never showed, e.g. a packet
    /// left half-read by a broker that stopped sending.
    static let maxHeldAgeMicros: UInt64 = 50_000

    /// The socket has nothing more to read (or the connection ended, or the subscriber
    /// stopped): write and hand on what is held.
    func inputDrained() {
        guard heldCount.load(ordering: .relaxed) > 0 else { return }
        held.withLock { writeHeld(&$0) }
    }

    /// On the pipeline thread, which consumes the queue: writes what is held once its oldest
    /// message is `maxHeldAgeMicros` old. Never waits: not while the network thread holds the
    /// lock (it is writing or handing on itself), not while the queue has no room for all of
    /// it, not while the WAL cannot be written (the network thread retries and logs that).
    func writeHeldIfStale(now: UInt64 = MonotonicClock.microseconds()) {
        guard heldCount.load(ordering: .relaxed) > 0 else { return }
        held.withLockIfAvailable { h in
            guard !h.messages.isEmpty, now &- h.firstHeldMicros >= IngestSink.maxHeldAgeMicros, !paused,
                  queue.hasRoom(messages: h.messages.count, bytes: h.messages.reduce(0) { $0 + $1.queuedBytes }),
                  let ends = try? wal.append(h.batch) else { return }
            // Under this lock nothing else pushes, and only this thread pops: the room stays.
            handOnHeld(&h, ends: ends)
        }
    }

    /// QoS 0 messages written to the WAL only once their burst ends (`coalescesQoS0`).
    private struct Held {
        var batch = WALBatch()
        var messages: [IngestedMessage] = []
        /// When the oldest held message came (MonotonicClock).
        var firstHeldMicros: UInt64 = 0
    }
    private let held = Guarded(Held())
    /// `held.messages.count`, readable without the lock.
    private let heldCount = Atomic<Int>(0)

    /// Writes what is held with one `write(2)` (waiting while the WAL cannot be written, as
    /// for any message) and hands it on in order.
    private func writeHeld(_ h: inout Held) {
        guard !h.messages.isEmpty else { return }
        let ends = durably { try wal.append(h.batch) }
        handOnHeld(&h, ends: ends)
    }

    private func handOnHeld(_ h: inout Held, ends: [WALPosition]) {
        for i in h.messages.indices { h.messages[i].walEnd = ends[i] }
        // Leaves `h.messages` empty (often holding the queue's old buffer: bounded by the queue).
        noteHandOff(queue.push(moving: &h.messages, patience: holdLimit))
        h.batch.removeAll()
        heldCount.store(0, ordering: .relaxed)
    }

    /// Runs `write` until it succeeds. While it fails (disk full, I/O error) or storage has
    /// paused ingestion, it waits and retries instead of returning: returning would
    /// acknowledge a message that is not durable.
    private func durably<T>(_ write: () throws -> T) -> T {
        var backoff = Backoff()
        while true {
            if !paused {
                do {
                    let result = try write()
                    if backoff.attempts > 0 {
                        stalledFlag.store(false, ordering: .relaxed)
                        logger.notice("WAL writable again; ingestion resumed", metadata: ["attempts": "\(backoff.attempts)"])
                    }
                    return result
                } catch {
                    if backoff.isReportDue {
                        logger.error("cannot write the WAL; holding messages at the broker until it works again", metadata: [
                            "error": "\(error)", "attempt": "\(backoff.attempts + 1)",
                        ])
                    }
                }
            }
            // Not written: do not return (that would acknowledge the message). Wait and retry.
            stalledFlag.store(true, ordering: .relaxed)
            backoff.wait()
        }
    }

    /// Puts a message that is in the WAL into the queue, waiting at most `holdLimit` for room
    /// below its bounds (then its reserve; see the type's comment).
    private func handOn(_ message: IngestedMessage) {
        noteHandOff(queue.push(message, patience: holdLimit))
    }

    /// Logs the start and end of a backpressure episode.
    private func noteHandOff(_ pushed: MessageQueue.Pushed) {
        switch pushed {
        case .reserve:
            if !inReserve.exchange(true, ordering: .relaxed) {
                logger.notice("pipeline behind, queue full: taking one message per keepalive/2 into the queue's reserve so the broker keeps the connection", metadata: [
                    "queue_capacity": "\(queue.capacity)", "reserve": "\(queue.reserve)", "hold_s": "\(holdLimit)",
                ])
            }
            if queue.reserveFull, !reserveExhausted.exchange(true, ordering: .relaxed) {
                logger.warning("queue reserve full: the network thread now waits for the pipeline; the broker will drop the connection after 1.5 x keepalive and redeliver on reconnect")
            }
        case .queued:
            if inReserve.load(ordering: .relaxed), queue.depth < queue.capacity {
                inReserve.store(false, ordering: .relaxed)
                reserveExhausted.store(false, ordering: .relaxed)
                logger.notice("pipeline caught up; queue below its bound again", metadata: ["reserve_used_total": "\(queue.reserveMessages)"])
            }
        case .closed:
            break
        }
    }
}

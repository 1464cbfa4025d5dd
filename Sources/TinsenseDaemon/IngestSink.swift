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
        var backoff = Backoff()
        var end: WALPosition?
        while true {
            if !paused {
                do {
                    end = try wal.append(delivery, topic: topic, payload: kept)
                    break
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
        if backoff.attempts > 0 {
            stalledFlag.store(false, ordering: .relaxed)
            logger.notice("WAL writable again; ingestion resumed", metadata: ["attempts": "\(backoff.attempts)"])
        }
        let record = WALRecord(
            receiveTime: delivery.receiveTime, qos: qos, topic: Array(topic), payload: Array(kept),
            retained: retained, packetID: delivery.packetID, connection: delivery.connection, payloadBytes: payload.count
        )
        // The message is durable: from here on, returning (and so the PUBACK) is safe.
        switch queue.push(IngestedMessage(record: record, walEnd: end), patience: holdLimit) {
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

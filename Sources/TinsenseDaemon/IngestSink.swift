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
    private let pausedFlag = Atomic<Bool>(false)
    private let stalledFlag = Atomic<Bool>(false)
    /// Receive time (epoch ms) of the newest message, 0 before the first: `/metrics` reads it.
    private let lastReceiveMillis = Atomic<Int64>(0)
    private let receivedCounter = Counter(label: "tinsense_mqtt_messages_received_total")

    init(
        wal: WriteAheadLog, queue: MessageQueue, maxPayloadBytes: Int, keptPrefixBytes: Int,
        logger: Logger, clock: @escaping @Sendable () -> Timestamp, health: HealthSignals? = nil
    ) {
        self.health = health
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
        queue.push(IngestedMessage(record: record, walEnd: end))
    }
}

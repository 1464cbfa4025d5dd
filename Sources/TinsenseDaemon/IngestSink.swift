import Logging
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
final class IngestSink: MQTTMessageSink {
    let wal: WriteAheadLog
    let queue: MessageQueue
    let logger: Logger
    let clock: @Sendable () -> Timestamp
    private let pausedFlag = Atomic<Bool>(false)
    private let stalledFlag = Atomic<Bool>(false)

    init(wal: WriteAheadLog, queue: MessageQueue, logger: Logger, clock: @escaping @Sendable () -> Timestamp) {
        self.wal = wal
        self.queue = queue
        self.logger = logger
        self.clock = clock
    }

    /// Storage asks ingestion to hold while it cannot seal (e.g. disk full).
    var paused: Bool {
        get { pausedFlag.load(ordering: .relaxed) }
        set { pausedFlag.store(newValue, ordering: .relaxed) }
    }

    /// True while the network thread is waiting for the WAL or for storage.
    var stalled: Bool { stalledFlag.load(ordering: .relaxed) }

    func receive(topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer, qos: UInt8, retained: Bool) {
        let receiveTime = clock()
        var backoff = Backoff()
        var end: WALPosition?
        while true {
            if !paused {
                do {
                    end = try wal.append(receiveTime: receiveTime, qos: qos, topic: topic, payload: payload)
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
        let message = IngestedMessage(
            receiveTime: receiveTime,
            topic: String(decoding: topic, as: UTF8.self),
            payload: Array(payload),
            qos: qos,
            walEnd: end
        )
        queue.push(message)
    }
}

import Logging
import Synchronization
import TinsenseCore
import TinsenseMQTT
import TinsenseStorage
import TinsenseSystem

/// The durability hook of `tinsense record`, the daemon's `IngestSink` without the pipeline:
/// the raw message is appended to the recording's WAL with one `write(2)` before
/// libmosquitto may acknowledge it, and a failed write is retried with backoff instead of
/// returning, so nothing unwritten is ever acknowledged.
final class RecordSink: MQTTMessageSink {
    let wal: WriteAheadLog
    let logger: Logger
    /// Makes this run's connection numbers differ from an earlier run's (see `WALRecord.connection`).
    let connectionBase = UInt32.random(in: 0...UInt32.max)
    private let stalledFlag = Atomic<Bool>(false)
    private let count = Atomic<Int>(0)

    init(wal: WriteAheadLog, logger: Logger) {
        self.wal = wal
        self.logger = logger
    }

    /// True while the network thread waits for the disk.
    var stalled: Bool { stalledFlag.load(ordering: .relaxed) }
    /// Messages written so far.
    var written: Int { count.load(ordering: .relaxed) }

    func receive(topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer, qos: UInt8, retained: Bool, packetID: Int32, connection: Int) {
        // A payload beyond what one record can hold keeps its first bytes and its true size.
        let kept = payload.count <= WALFormat.maxPayloadBytes ? payload : UnsafeRawBufferPointer(rebasing: payload[0..<WALFormat.maxPayloadBytes])
        let delivery = WALDelivery(
            receiveTime: WallClock.now(), qos: qos, retained: retained, packetID: UInt16(truncatingIfNeeded: packetID),
            connection: connectionBase &+ UInt32(truncatingIfNeeded: connection), payloadBytes: payload.count
        )
        var backoff = Backoff()
        while true {
            do {
                try wal.append(delivery, topic: topic, payload: kept)
                break
            } catch {
                if backoff.isReportDue {
                    logger.error("cannot write the recording; holding messages at the broker until it works again", metadata: [
                        "error": "\(error)", "attempt": "\(backoff.attempts + 1)",
                    ])
                }
                stalledFlag.store(true, ordering: .relaxed)
                backoff.wait()
            }
        }
        if backoff.attempts > 0 { stalledFlag.store(false, ordering: .relaxed) }
        count.wrappingAdd(1, ordering: .relaxed)
    }
}

import TinsenseCore
import TinsenseStorage

/// A raw message already safe in the WAL, on its way to the pipeline.
package struct IngestedMessage: Sendable {
    /// The message as the WAL holds it: bytes (a prefix when too large), retain flag, packet
    /// id and connection, which the pipeline needs to recognise a resend.
    var record: WALRecord
    /// Where the message ends in the WAL: the checkpoint once it is processed and sealed.
    var walEnd: WALPosition?
    /// The topic as text (decoded once, on the network thread).
    var topic: String

    package init(record: WALRecord, walEnd: WALPosition?) {
        self.record = record
        self.walEnd = walEnd
        topic = record.topicString
    }

    /// A message read back from the WAL for replay.
    init(entry: WALEntry) {
        self.init(record: entry.record, walEnd: entry.end)
    }

    var receiveTime: Timestamp { record.receiveTime }
    var payload: [UInt8] { record.payload }
    var qos: UInt8 { record.qos }

    /// What the hand-off queue counts against `mqtt.queue_max_mb`: the bytes this message keeps
    /// alive (topic twice: raw and as text) plus a fixed allowance for the struct and arrays.
    var queuedBytes: Int { record.payload.count + 2 * record.topic.count + 128 }
}

import TinsenseCore
import TinsenseStorage

/// A raw message already safe in the WAL, on its way to the pipeline.
struct IngestedMessage: Sendable {
    var receiveTime: Timestamp
    var topic: String
    var payload: [UInt8]
    var qos: UInt8
    /// Where the message ends in the WAL: the checkpoint once it is processed and sealed.
    var walEnd: WALPosition?
}

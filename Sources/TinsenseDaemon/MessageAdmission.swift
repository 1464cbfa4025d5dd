import TinsenseCore
import TinsenseStorage

/// The first pipeline step, before decoding: refuses a message that was too large for the WAL
/// to keep whole, and a message the broker sent a second time (`DeliveryLedger`), each with a
/// reason the quarantine records; admits everything else.
///
/// A resend is quarantined as `duplicate`, not dropped silently: the reading it carries is
/// stored already, and the line says which rule recognised it.
package final class MessageAdmission {
    /// Why a message is refused.
    struct Refusal: Equatable {
        var reason: RejectReason
        var detail: String
    }

    // Used by the pipeline thread alone, once a message: no runtime exclusivity check in
    // release builds (see `Pipeline`), kept in debug builds.
    #if DEBUG
    private(set) var ledger: DeliveryLedger
    #else
    @exclusivity(unchecked) private(set) var ledger: DeliveryLedger
    #endif
    let maxPayloadBytes: Int

    package init(ledger: DeliveryLedger = DeliveryLedger(), maxPayloadBytes: Int) {
        self.ledger = ledger
        self.maxPayloadBytes = maxPayloadBytes
    }

    /// Judges `m` and remembers it; nil = admit. Called once per message, in WAL order.
    func refusal(for m: IngestedMessage) -> Refusal? {
        let verdict = ledger.admit(m.record)
        if m.record.isTruncated {
            return Refusal(reason: .tooLarge, detail: "payload of \(m.record.payloadBytes) bytes exceeds max_payload_bytes = \(maxPayloadBytes); the WAL kept its first \(m.record.payload.count) bytes")
        }
        switch verdict {
        case .new:
            return nil
        case .redelivery(let packetID):
            return Refusal(reason: .duplicate, detail: "redelivered by the broker after a reconnect (packet id \(packetID), same topic and payload as a message already received)")
        case .retainedRepeat:
            return Refusal(reason: .duplicate, detail: "retained message resent by the broker on subscribe; equal to the last message processed on this topic")
        }
    }

    /// Persists the ledger as of `checkpoint` next to the checkpoint (`segments/deliveries`).
    func persist(at checkpoint: WALPosition, segmentsDirectory: String) throws {
        try DeliveryLedgerFile.write(ledger, at: checkpoint, directory: segmentsDirectory)
    }

    /// The ledger to start with: the persisted one, brought up to `checkpoint` from the WAL
    /// records between the two (replay from `checkpoint` then rebuilds the rest). A persisted
    /// ledger from beyond the checkpoint (segments lost) is not used: it would refuse messages
    /// replay must store.
    static func restoredLedger(segmentsDirectory: String, wal: WriteAheadLog, checkpoint: WALPosition?, window: Int = 1_024, maxTopics: Int) throws -> DeliveryLedger {
        guard let checkpoint else { return DeliveryLedger(window: window, maxTopics: maxTopics) }
        if let (ledger, at) = DeliveryLedgerFile.read(directory: segmentsDirectory, window: window, maxTopics: maxTopics), at <= checkpoint {
            var ledger = ledger
            if at < checkpoint { try ledger.catchUp(wal: wal, from: at, through: checkpoint) }
            return ledger
        }
        var ledger = DeliveryLedger(window: window, maxTopics: maxTopics)
        try ledger.catchUp(wal: wal, from: nil, through: checkpoint)
        return ledger
    }
}

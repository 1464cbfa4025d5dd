import Logging
import TinsenseCore
import TinsenseDecode
import TinsenseForward
import TinsenseStorage
import TinsenseSystem
import TinsenseValidate

/// decode → validate → store, for one message at a time, on one thread.
///
/// Rejections go to the quarantine with a reason code; accepted readings go to the store,
/// which may still refuse duplicates (redelivery, replay) and readings too far out of order.
/// Nothing leaves this type without being stored or quarantined.
package final class Pipeline {
    // Only the pipeline thread touches the state below, one message at a time, and nothing
    // called while one of these is being accessed reaches back to it. So release builds skip
    // the runtime's exclusivity checks on these properties (≈ 80 instructions an access, about
    // ten accesses a message under callgrind); debug builds, which the tests run, keep them.
    #if DEBUG
    package var validator: Validator
    /// Decodes every format; holds the Sparkplug session across messages.
    var decoder: MessageDecoder
    package var counters = PipelineCounters()
    #else
    @exclusivity(unchecked) package var validator: Validator
    @exclusivity(unchecked) var decoder: MessageDecoder
    @exclusivity(unchecked) package var counters = PipelineCounters()
    #endif
    let store: any ReadingStore
    let quarantine: QuarantineLog
    var limits: DecodeLimits {
        get { decoder.limits }
        set { decoder.limits = newValue }
    }
    let logger: Logger
    /// Scores stored readings and raises alerts; nil when detection is off.
    let detection: DetectionStage?
    /// End of the last message fully processed.
    private(set) var processedThrough: WALPosition?
    /// Refuses oversized messages and broker resends before decoding (issue 9, findings 2, 7).
    package var admission: MessageAdmission?
    /// `[forward]`: every stored reading is spooled for VictoriaMetrics (docs/FORWARDING.md).
    var forward: ForwardTap?

    package init(validator: Validator, store: any ReadingStore, quarantine: QuarantineLog, limits: DecodeLimits, detection: DetectionStage?, logger: Logger) {
        self.validator = validator
        self.detection = detection
        self.store = store
        self.quarantine = quarantine
        decoder = MessageDecoder(limits: limits)
        self.logger = logger
        processedThrough = store.checkpoint
    }

    package func process(_ m: IngestedMessage) {
        counters.message()
        let format = validator.payloadFormat(topic: m.topic)
        // A refusal before an item is known belongs to the topic's sensor only where the topic
        // names one (JSON); a bad line-protocol line or Sparkplug message names no sensor.
        var topicSensor: String? { format.kind == .json ? validator.resolve(topic: m.topic)?.sensorID : nil }
        if let refusal = admission?.refusal(for: m) {
            m.payload.withUnsafeBytes { payload in
                reject(m, payload, sensor: topicSensor, reason: refusal.reason, detail: refusal.detail, item: 0)
            }
            if let end = m.walEnd { processedThrough = end }
            return
        }
        m.payload.withUnsafeBytes { payload in
            // Item by item: no array per message.
            let failure = decoder.decodeEach(topic: m.topic, payload: payload, format: format, receiveTime: m.receiveTime) { index, result in
                switch result {
                case .failure(let f):
                    reject(m, payload, sensor: topicSensor, reason: f.reason, detail: f.detail, item: index)
                case .success(let item):
                    accept(m, payload, item: item, index: index)
                }
            }
            if let f = failure {
                reject(m, payload, sensor: topicSensor, reason: f.reason, detail: f.detail, item: 0)
            }
        }
        for mark in decoder.sparkplug.takeStaleMarks() {
            guard let t = validator.markStale(topic: mark.topic, metric: mark.metric, at: mark.time) else { continue }
            detection?.stale(t, now: mark.time)
            logger.warning("sensor stale (Sparkplug death)", metadata: ["sensor": "\(t.sensor)", "last_reading": "\(t.lastReceive)"])
        }
        // A Sparkplug message held for reordering is only in memory: the checkpoint waits for it.
        if let end = m.walEnd, decoder.sparkplug.heldMessageCount == 0 { processedThrough = end }
    }

    private func accept(_ m: IngestedMessage, _ payload: UnsafeRawBufferPointer, item: DecodedItem, index: Int) {
        switch validator.validate(topic: m.topic, item: item, receiveTime: m.receiveTime) {
        case .reject(let reason, let detail, let sensor):
            reject(m, payload, sensor: sensor, reason: reason, detail: detail, item: index)
        case .accept(let reading, let specIndex, let downgrades, let slot):
            let written = DiskRetry.untilWrittenOrRefused(logger: logger, what: "storage head") {
                do {
                    return try store.append(reading)
                } catch StorageError.headFull {
                    // Only this thread seals, so a full head must be sealed here (the checkpoint
                    // stays at the previous message) before the reading can go in. A failed seal
                    // is the store's problem, not this reading's: it is waited out (transient)
                    // whatever its cause, and ingestion stalls upstream.
                    do {
                        try store.sealNow(processedThrough: processedThrough, now: m.receiveTime)
                    } catch {
                        throw SealFailure(underlying: error)
                    }
                    return try store.append(reading)
                }
            }
            switch written {
            case .success(.stored):
                counters.stored()
                forward?.stored(reading)
                for d in downgrades { counters.downgrade(d) }
                detection?.observe(reading, specIndex: specIndex, slot: slot, topic: m.topic)
            case .success(.duplicate):
                reject(m, payload, sensor: reading.sensor, reason: .duplicate, detail: "a reading at \(reading.sourceTime) is already stored", item: index)
            case .success(.tooLate):
                reject(m, payload, sensor: reading.sensor, reason: .outOfOrder, detail: "older than the out-of-order tolerance behind the newest stored reading", item: index)
            case .failure(let error):
                // Permanent for this reading: quarantined, and the stream goes on.
                let reason = (error as? StorageError)?.rejectReason ?? .storageRefused
                reject(m, payload, sensor: reading.sensor, reason: reason, detail: "storage refused the reading: \(error)", item: index)
            }
        }
    }

    private func reject(_ m: IngestedMessage, _ payload: UnsafeRawBufferPointer, sensor: String?, reason: RejectReason, detail: String, item: Int) {
        counters.quarantine(reason)
        // A rejected reading must be recorded before the pipeline moves on; while the
        // quarantine cannot be written for a reason that passes (disk full), the pipeline waits
        // here, the queue fills, and the network thread stops taking messages, so the broker
        // keeps them.
        let written = DiskRetry.untilWrittenOrRefused(logger: logger, what: "quarantine log") {
            try quarantine.append(
                receiveTime: m.receiveTime, topic: m.topic, sensor: sensor, reason: reason, detail: detail,
                payload: payload, item: item, wal: m.walEnd
            )
        }
        if case .failure(let error) = written {
            // Permanent (permission, read-only file system, …): waiting would stop every sensor.
            // The reading is counted and logged (rate-limited) instead; its raw message stays in
            // the WAL until the next checkpoint passes it.
            counters.quarantineWriteFailed()
            let n = counters.quarantineWriteFailures
            if n == 1 || n % 1000 == 0 {
                logger.error("cannot write the quarantine log; the rejected reading is only counted and logged", metadata: [
                    "error": "\(error)", "failures": "\(n)", "topic": "\(m.topic)", "reason": "\(reason)",
                    "item": "\(item)", "wal": "\(m.walEnd.map(\.description) ?? "none")",
                ])
            }
        }
    }

    /// Lets storage seal when due; returns false (and logs) when it could not.
    package func sealDueAndApplyRetention(now: Timestamp) -> Bool {
        do {
            try store.sealDueAndApplyRetention(processedThrough: processedThrough, now: now)
            return true
        } catch {
            logger.error("storage could not seal; keeping the head in memory and pausing ingestion", metadata: ["error": "\(error)"])
            return false
        }
    }
}

/// A seal that failed inside `append`'s full-head path: always waited out, because it says
/// nothing about the reading being appended.
private struct SealFailure: ClassifiedError, CustomStringConvertible {
    let underlying: any Error
    var errorClass: ErrorClass { .transient }
    var description: String { "sealing the full head failed: \(underlying)" }
}

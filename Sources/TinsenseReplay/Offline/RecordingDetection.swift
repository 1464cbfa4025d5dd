import TinsenseAlerts
import TinsenseConfig
import TinsenseCore
import TinsenseDecode
import TinsenseStorage
import TinsenseValidate

/// What an offline run went through.
package struct OfflineCounts: Sendable, Equatable {
    package var messages = 0
    package var readings = 0
    package var scored = 0
    package var refused = 0
    /// Alert transitions raised.
    package var alerts = 0
}

/// decode → validate → detect over recorded raw messages, as the daemon's pipeline does, at
/// full speed: the clock is the recorded receive time (stale checks and alert ticks once per
/// recorded second, like the pipeline thread's duties), never the wall clock.
///
/// What the daemon's storage would refuse is not scored either: broker resends (the same
/// `DeliveryLedger`), truncated payloads, a reading at the sensor's newest source time
/// (duplicate) and one older than the out-of-order tolerance behind it. Unlike storage it
/// does not look further back for duplicates (no sealed data here).
package struct RecordingDetection {
    var validator: Validator?
    var scorer: AlertScorer
    var ledger = DeliveryLedger()
    /// Each sensor's newest source time, by its validator slot (this run's validator is never
    /// reloaded, so a slot always holds the same sensor).
    var newest: [Timestamp?] = []
    let config: Config
    var decoder: MessageDecoder
    let toleranceMs: Int64
    var lastDuties: Timestamp?
    package private(set) var counts = OfflineCounts()
    /// Source times of the readings scored: alerts are stamped with them, so an old alert log
    /// is compared over this span as well as the receive times.
    package private(set) var sourceSpan: ClosedRange<Timestamp>?

    package init(config: Config, emit: @escaping (AlertTransition) -> Void) {
        self.config = config
        decoder = MessageDecoder(limits: DecodeLimits(maxPayloadBytes: config.validation.maxPayloadBytes, maxBatch: config.validation.maxBatch))
        toleranceMs = Int64(config.storage.outOfOrderToleranceSeconds) * 1000
        scorer = AlertScorer(config: config, emit: emit)
    }

    package mutating func process(_ record: WALRecord) {
        counts.messages += 1
        let now = record.receiveTime
        if validator == nil {
            validator = Validator(catalog: SensorCatalog(specs: config.sensorSpecs), policy: config.validationPolicy, start: now)
            lastDuties = now
        }
        if let last = lastDuties, last.milliseconds(to: now) >= 1000 {
            duties(now: now)
        }
        guard ledger.admit(record) == .new, !record.isTruncated else {
            counts.refused += 1
            return
        }
        let topic = record.topicString
        let format = validator!.payloadFormat(topic: topic)
        let limits = decoder.limits
        let failure = record.payload.withUnsafeBytes { payload -> DecodeFailure? in
            // JSON (stateless) item by item, no array per message: what `MessageDecoder` does
            // for it, called here because the items are observed while it runs.
            let kind = format.kind == .auto ? PayloadFormat.detect(topic: topic, payload: payload) : format.kind
            if kind == .json || kind == .auto {
                return PayloadDecoder.decodeEach(payload, limits: limits) { _, result in observe(result, topic: topic, now: now) }
            }
            switch decoder.decode(topic: topic, payload: payload, format: format, receiveTime: now) {
            case .failure(let f):
                return f
            case .items(let results):
                for result in results { observe(result, topic: topic, now: now) }
                return nil
            }
        }
        if failure != nil { counts.refused += 1 }
    }

    private mutating func observe(_ result: Result<DecodedItem, DecodeFailure>, topic: String, now: Timestamp) {
        guard case .success(let item) = result,
              case .accept(let reading, let specIndex, _, let slot) = validator!.validate(topic: topic, item: item, receiveTime: now) else {
            counts.refused += 1
            return
        }
        let t = reading.sourceTime
        if slot >= newest.count { newest.append(contentsOf: repeatElement(nil, count: slot + 1 - newest.count)) }
        if let n = newest[slot] {
            if t == n || n.milliseconds(to: t) < -toleranceMs {
                counts.refused += 1
                return
            }
            if t > n { newest[slot] = t }
        } else {
            newest[slot] = t
        }
        counts.readings += 1
        sourceSpan = sourceSpan.map { min($0.lowerBound, t)...max($0.upperBound, t) } ?? t...t
        scorer.observe(reading, specIndex: specIndex, slot: slot, topic: topic)
    }

    /// The pipeline thread's once-a-second duties, at recorded time `now`.
    mutating func duties(now: Timestamp) {
        lastDuties = now
        scorer.tick(now: now)
        // In place: a copy of the validator would copy every sensor's state once a second.
        for t in validator?.checkStale(now: now) ?? [] {
            scorer.stale(sensor: t.sensor, stale: t.stale, lastSeen: t.lastReceive, now: now)
        }
    }

    /// Counts with the scorer's.
    package var totals: OfflineCounts {
        var c = counts
        c.scored = scorer.scored
        return c
    }
}

import TinsenseCore

/// One measurement as the payload stated it, before validation gives it meaning.
package struct DecodedItem: Sendable, Equatable {
    package enum Value: Sendable, Equatable {
        case number(DecimalValue)
        /// `NaN`, `Infinity`, `null` and the like, with the text seen; validation rejects it as `nan`.
        case notANumber(String)
    }

    package var value: Value
    /// The payload's own timestamp, nil when it carried none.
    package var sourceTime: Timestamp?
    package var unit: String?
    package var quality: Quality?

    package init(value: Value, sourceTime: Timestamp? = nil, unit: String? = nil, quality: Quality? = nil) {
        self.value = value
        self.sourceTime = sourceTime
        self.unit = unit
        self.quality = quality
    }
}

/// A payload (or one item of a batch) that could not be decoded, with a reason code and a
/// detail a person can act on.
package struct DecodeFailure: Error, Sendable, Equatable, CustomStringConvertible {
    package var reason: RejectReason
    package var detail: String

    package init(_ reason: RejectReason, _ detail: String) {
        self.reason = reason
        self.detail = detail
    }

    package var description: String { "\(reason): \(detail)" }
}

/// Limits the decoder enforces before doing any work on a payload.
package struct DecodeLimits: Sendable, Equatable {
    package var maxPayloadBytes: Int
    package var maxBatch: Int

    package init(maxPayloadBytes: Int = 65_536, maxBatch: Int = 1_000) {
        self.maxPayloadBytes = maxPayloadBytes
        self.maxBatch = maxBatch
    }
}

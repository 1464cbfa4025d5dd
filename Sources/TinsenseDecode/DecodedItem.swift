import TinsenseCore

/// One measurement as the payload stated it, before validation gives it meaning.
public struct DecodedItem: Sendable, Equatable {
    public enum Value: Sendable, Equatable {
        case number(DecimalValue)
        /// `NaN`, `Infinity`, `null` and the like, with the text seen; validation rejects it as `nan`.
        case notANumber(String)
    }

    public var value: Value
    /// The payload's own timestamp, nil when it carried none.
    public var sourceTime: Timestamp?
    public var unit: String?
    public var quality: Quality?

    public init(value: Value, sourceTime: Timestamp? = nil, unit: String? = nil, quality: Quality? = nil) {
        self.value = value
        self.sourceTime = sourceTime
        self.unit = unit
        self.quality = quality
    }
}

/// A payload (or one item of a batch) that could not be decoded, with a reason code and a
/// detail a person can act on.
public struct DecodeFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: RejectReason
    public var detail: String

    public init(_ reason: RejectReason, _ detail: String) {
        self.reason = reason
        self.detail = detail
    }

    public var description: String { "\(reason): \(detail)" }
}

/// Limits the decoder enforces before doing any work on a payload.
public struct DecodeLimits: Sendable, Equatable {
    public var maxPayloadBytes: Int
    public var maxBatch: Int

    public init(maxPayloadBytes: Int = 65_536, maxBatch: Int = 1_000) {
        self.maxPayloadBytes = maxPayloadBytes
        self.maxBatch = maxBatch
    }
}

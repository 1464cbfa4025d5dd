import TinsenseCore

/// The one place a message's payload becomes items, for the daemon's pipeline, the fresh
/// readings of `export` and offline re-detection alike, so all three decode the same bytes the
/// same way. Pure: the receive time comes in as an argument, nothing is read or written.
///
/// Stateful because Sparkplug B is: a DATA message names its metrics by the aliases of an
/// earlier BIRTH and is checked against the node's sequence numbers. That state lives in
/// `sparkplug` (bounded there); JSON and line protocol keep none, and the JSON path costs
/// exactly what `PayloadDecoder.decode` costs.
package struct MessageDecoder: Sendable {
    package var limits: DecodeLimits
    /// Sparkplug B session state (aliases, sequence numbers) across messages.
    package var sparkplug = SparkplugSession()

    package init(limits: DecodeLimits) {
        self.limits = limits
    }

    /// Decodes one message whose topic's `[[sensor]]` entry says `format`.
    package mutating func decode(topic: String, payload: UnsafeRawBufferPointer, format: PayloadFormat, receiveTime: Timestamp) -> PayloadDecoder.Outcome {
        var kind = format.kind
        if kind == .auto { kind = PayloadFormat.detect(topic: topic, payload: payload) }
        switch kind {
        case .json, .auto:
            return PayloadDecoder.decode(payload, limits: limits)
        case .influx:
            if let refusal = PayloadDecoder.envelopeFailure(payload, limits) { return .failure(refusal) }
            return LineProtocolDecoder.decode(payload, precision: format.precision, limits: limits)
        case .sparkplug:
            if let refusal = PayloadDecoder.envelopeFailure(payload, limits) { return .failure(refusal) }
            return sparkplug.decode(topic: topic, payload: payload, receiveTime: receiveTime, limits: limits)
        }
    }

    /// `decode`, item by item (see `PayloadDecoder.decodeEach`): `body` gets each item's index
    /// and result in order; returns the failure of the whole message, if any. JSON builds no
    /// array; the other formats iterate what `decode` returns.
    package mutating func decodeEach(topic: String, payload: UnsafeRawBufferPointer, format: PayloadFormat, receiveTime: Timestamp,
                                     _ body: (Int, Result<DecodedItem, DecodeFailure>) -> Void) -> DecodeFailure? {
        var kind = format.kind
        if kind == .auto { kind = PayloadFormat.detect(topic: topic, payload: payload) }
        if kind == .json || kind == .auto { return PayloadDecoder.decodeEach(payload, limits: limits, body) }
        switch decode(topic: topic, payload: payload, format: format, receiveTime: receiveTime) {
        case .failure(let f): return f
        case .items(let results):
            for (i, r) in results.enumerated() { body(i, r) }
            return nil
        }
    }

    /// `decode` for a payload held in an array.
    package mutating func decode(topic: String, payload: [UInt8], format: PayloadFormat, receiveTime: Timestamp) -> PayloadDecoder.Outcome {
        payload.withUnsafeBytes { decode(topic: topic, payload: $0, format: format, receiveTime: receiveTime) }
    }
}

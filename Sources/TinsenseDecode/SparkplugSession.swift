import TinsenseCore

/// Where Sparkplug B decoding plugs into `MessageDecoder`: the state a Sparkplug host keeps
/// across messages (alias maps from BIRTH certificates, `seq` and `bdSeq` per node), and the
/// decode of one message against it. Until the decoder is built, every Sparkplug message is
/// refused as `malformed`, so a site that configures it sees why nothing is stored.
package struct SparkplugSession: Sendable {
    package init() {}

    /// Decodes one message on a `spBv1.0/...` topic; size and emptiness are already checked.
    /// Items carry the metric's name in `DecodedItem.metric`.
    package mutating func decode(topic: String, payload: UnsafeRawBufferPointer, receiveTime: Timestamp, limits: DecodeLimits) -> PayloadDecoder.Outcome {
        .failure(DecodeFailure(.malformed, "sparkplug decoding not built"))
    }
}

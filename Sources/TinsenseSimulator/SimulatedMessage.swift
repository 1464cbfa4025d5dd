import TinsenseCore

/// One MQTT message the simulated plant publishes, with the ground truth beside it so tests
/// and the benchmark need not decode the payload to know what was meant.
package struct SimulatedMessage: Sendable, Hashable {
    package var topic: String
    package var payload: [UInt8]
    /// The sensor id as config/tinsense.toml builds it.
    package var sensor: String
    /// The sample's source time (also in the payload unless the shape is a bare number).
    package var time: Timestamp
    /// The value written in the payload; nil when the payload is deliberately malformed.
    package var sentValue: DecimalValue?
    /// What a working instrument would have reported at this instant (the process truth).
    package var trueValue: DecimalValue
    /// The fault active on this sensor at `time`, if any (`trip` for a stopped crusher).
    package var fault: FaultKind?

    package var isFaulted: Bool { fault != nil }
}

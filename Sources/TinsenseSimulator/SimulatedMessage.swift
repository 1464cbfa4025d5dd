import TinsenseCore

/// One MQTT message the simulated plant publishes, with the ground truth beside it so tests
/// and the benchmark need not decode the payload to know what was meant.
public struct SimulatedMessage: Sendable, Hashable {
    public var topic: String
    public var payload: [UInt8]
    /// The sensor id as config/tinsense.toml builds it.
    public var sensor: String
    /// The sample's source time (also in the payload unless the shape is a bare number).
    public var time: Timestamp
    /// The value written in the payload; nil when the payload is deliberately malformed.
    public var sentValue: DecimalValue?
    /// What a working instrument would have reported at this instant (the process truth).
    public var trueValue: DecimalValue
    /// The fault active on this sensor at `time`, if any (`trip` for a stopped crusher).
    public var fault: FaultKind?

    public var isFaulted: Bool { fault != nil }
}

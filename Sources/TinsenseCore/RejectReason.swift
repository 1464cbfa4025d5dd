/// Why a reading (or a whole payload) was not stored as it came, in the reason codes that
/// quarantine lines, logs and metrics use. Codes are stable: tools match on them.
public enum RejectReason: String, Sendable, CaseIterable, Hashable, CustomStringConvertible {
    /// The payload or an item could not be decoded (not JSON/number, no `value`, bad `ts`, …).
    case malformed
    /// The value is NaN, ±Infinity or null.
    case nan
    /// Outside the sensor's instrument range (`range` in the config).
    case outOfRange = "out_of_range"
    /// Changed faster than the sensor's `max_rate` (quarantined only with `rate_action = "quarantine"`).
    case rateOfChange = "rate_of_change"
    /// The source timestamp is too far in the future or the past of the receive time.
    case clockSkew = "clock_skew"
    /// This (sensor, source time) was already received or stored.
    case duplicate
    /// Older than the out-of-order tolerance behind the sensor's newest reading.
    case outOfOrder = "out_of_order"
    /// The topic matches no configured sensor.
    case unknownSensor = "unknown_sensor"
    /// The payload is larger than `max_payload_bytes` or the batch than `max_batch`.
    case tooLarge = "too_large"

    public var description: String { rawValue }
}

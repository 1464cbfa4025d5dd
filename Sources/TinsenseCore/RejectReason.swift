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
    /// The sensor already has `max_units_per_series` distinct units (or its head the most
    /// unit/quality/flags combinations a chunk can index); a new unit is refused.
    case unitLimit = "unit_limit"
    /// A new sensor beyond `max_series`: sensors already known keep working.
    case seriesLimit = "series_limit"
    /// The sensor id is longer than a segment can record (65,535 UTF-8 bytes).
    case sensorIDTooLong = "sensor_id_too_long"
    /// The unit is longer than a segment can record (65,535 UTF-8 bytes).
    case unitTooLong = "unit_too_long"
    /// The duplicate check needed a sealed chunk that is damaged (`tinsense verify` reports it).
    case unreadableChunk = "unreadable_chunk"
    /// The value broke a storage invariant (a scale outside 0...30).
    case badValue = "bad_value"
    /// Storage refused the reading for good with an error no other code names; `detail` says which.
    case storageRefused = "storage_refused"
    /// Sparkplug B: a DATA metric whose alias (or name) no BIRTH of its edge node or device declared.
    case unknownMetric = "unknown_metric"
    /// Sparkplug B: DATA or a device BIRTH from an edge node (or device) with no live BIRTH.
    case notBorn = "not_born"
    /// Sparkplug B: a metric whose datatype is no number (string, bytes, data set, template, …).
    case notNumeric = "not_numeric"

    public var description: String { rawValue }
}

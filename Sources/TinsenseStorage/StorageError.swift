/// Why the segment store refused an operation.
public enum StorageError: Error, CustomStringConvertible {
    /// The head is twice its limit because sealing keeps failing (disk full?): the daemon
    /// must stop taking messages until a seal succeeds, so memory stays bounded.
    case headFull(samples: Int)
    /// A sensor id longer than a segment can record (65,535 UTF-8 bytes).
    case sensorTooLong(Int)
    /// A reading's scale is outside 0...30 (a `DecimalValue` invariant was broken).
    case badValue(String)

    public var description: String {
        switch self {
        case .headFull(let n): "the head holds \(n) samples and cannot be sealed; pausing intake"
        case .sensorTooLong(let n): "sensor id of \(n) bytes is longer than 65535"
        case .badValue(let why): "bad value: \(why)"
        }
    }
}

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

/// A damaged place in a data file (segment or WAL): what `verify` prints and what readers
/// report while they skip it.
public struct DamageReport: Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var offset: UInt64
    public var reason: String

    public init(path: String, offset: UInt64, reason: String) {
        self.path = path
        self.offset = offset
        self.reason = reason
    }

    public init(_ wal: WALDamage) {
        self.init(path: wal.path, offset: wal.offset, reason: wal.reason)
    }

    public var description: String { "\(path) at offset \(offset): \(reason)" }
}

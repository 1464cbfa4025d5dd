import TinsenseCore
import TinsenseSystem

/// Why the segment store refused an operation.
///
/// Each case says whether waiting can help (`errorClass`) and, when it cannot, which reason
/// code the refused reading is quarantined under (`rejectReason`).
public enum StorageError: Error, CustomStringConvertible, ClassifiedError {
    /// The head is twice its limit because sealing keeps failing (disk full?): the daemon
    /// must stop taking messages until a seal succeeds, so memory stays bounded.
    case headFull(samples: Int)
    /// A sensor id longer than a segment can record (65,535 UTF-8 bytes).
    case sensorTooLong(Int)
    /// A unit longer than a segment can record (65,535 UTF-8 bytes): written, it would make
    /// the chunk unreadable.
    case unitTooLong(Int)
    /// A reading's scale is outside 0...30 (a `DecimalValue` invariant was broken).
    case badValue(String)
    /// The series' head already holds the most distinct unit/quality/flags combinations a
    /// chunk can index (2048).
    case tooManyUnitCombinations(Int)
    /// A sealed chunk the duplicate check must read is damaged (not an I/O error that may pass).
    case unreadableChunk(String)

    public var description: String {
        switch self {
        case .headFull(let n): "the head holds \(n) samples and cannot be sealed; pausing intake"
        case .sensorTooLong(let n): "sensor id of \(n) bytes is longer than 65535"
        case .unitTooLong(let n): "unit of \(n) bytes is longer than 65535"
        case .badValue(let why): "bad value: \(why)"
        case .tooManyUnitCombinations(let n): "more than \(n) distinct unit/quality/flags combinations in one head"
        case .unreadableChunk(let why): "a sealed chunk needed for the duplicate check is unreadable: \(why)"
        }
    }

    /// Only a full head passes (once a seal succeeds); every other case is about the reading.
    public var errorClass: ErrorClass {
        if case .headFull = self { return .transient }
        return .permanentForReading
    }

    /// The quarantine reason for a reading refused with this error; nil for `headFull`.
    public var rejectReason: RejectReason? {
        switch self {
        case .headFull: nil
        case .sensorTooLong: .sensorIDTooLong
        case .unitTooLong: .unitTooLong
        case .badValue: .badValue
        case .tooManyUnitCombinations: .unitLimit
        case .unreadableChunk: .unreadableChunk
        }
    }
}

/// The quality of a reading, the four states operators know from OPC UA and Sparkplug.
///
/// Validation may downgrade quality (plausibility fail → uncertain) instead of dropping a
/// reading; detection ignores `bad` and `stale` readings.
public enum Quality: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case good = 0
    case uncertain = 1
    case bad = 2
    case stale = 3

    public var description: String {
        switch self {
        case .good: "good"
        case .uncertain: "uncertain"
        case .bad: "bad"
        case .stale: "stale"
        }
    }

    public init?(name: some StringProtocol) {
        switch name.lowercased() {
        case "good", "ok": self = .good
        case "uncertain": self = .uncertain
        case "bad": self = .bad
        case "stale": self = .stale
        default: return nil
        }
    }

    /// Maps a numeric quality code from a JSON payload: 192 (OPC DA / Sparkplug "good") and
    /// 500 (Sparkplug "stale") are recognised; any other number is read as an OPC UA
    /// StatusCode whose top two bits give the severity (00 good, 01 uncertain, 10/11 bad).
    /// So 0 is OPC UA's Good, not Sparkplug's BAD: JSON payloads with numeric quality come from
    /// OPC UA gateways, Sparkplug's own payloads are protobuf.
    public init(code: UInt64) {
        switch code {
        case 192: self = .good
        case 500: self = .stale
        default:
            let severity = (code >> 30) & 0b11
            switch severity {
            case 0: self = .good
            case 1: self = .uncertain
            default: self = .bad
            }
        }
    }

    /// The worse of two qualities (bad > stale > uncertain > good).
    public func worst(_ other: Quality) -> Quality {
        func rank(_ q: Quality) -> Int {
            switch q { case .good: 0; case .uncertain: 1; case .stale: 2; case .bad: 3 }
        }
        return rank(self) >= rank(other) ? self : other
    }
}

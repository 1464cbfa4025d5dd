/// A point in time as whole milliseconds since the Unix epoch, UTC.
///
/// Milliseconds are what plant devices and Sparkplug B send; sub-millisecond digits of an
/// RFC 3339 timestamp are truncated on parse (documented in docs/FORMAT.md). An integer keeps
/// delta-of-delta encoding exact and comparisons cheap.
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var millisecondsSinceEpoch: Int64

    @inlinable
    public init(millisecondsSinceEpoch: Int64) {
        self.millisecondsSinceEpoch = millisecondsSinceEpoch
    }

    @inlinable
    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.millisecondsSinceEpoch < rhs.millisecondsSinceEpoch
    }

    /// Milliseconds from `self` to `other` (positive when `other` is later).
    @inlinable
    public func milliseconds(to other: Timestamp) -> Int64 {
        other.millisecondsSinceEpoch - millisecondsSinceEpoch
    }

    @inlinable
    public func adding(milliseconds: Int64) -> Timestamp {
        Timestamp(millisecondsSinceEpoch: millisecondsSinceEpoch + milliseconds)
    }

    /// RFC 3339 in UTC with millisecond precision, e.g. `2026-11-27T03:37:11.250Z`.
    public var description: String { RFC3339.format(self) }
}

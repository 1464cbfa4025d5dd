/// Bounds on one line-protocol message beyond `DecodeLimits` (whose `max_batch` bounds the
/// items of a message, one per field or bad line). Each has a named refusal, so an operator
/// reading the quarantine knows which one a device crossed. Fixed rather than configured:
/// they are far above what any device sends and only keep hostile input cheap.
package enum LineProtocolLimits {
    /// One line, in bytes (a message may hold many lines up to `max_payload_bytes`).
    package static let maxLineBytes = 65_536
    /// A measurement name, tag key or field key, in bytes after unescaping.
    package static let maxNameBytes = 256
    /// A tag value, in bytes after unescaping.
    package static let maxTagValueBytes = 256
    /// Tags on one line.
    package static let maxTags = 32
    /// An unquoted field value (a number or boolean), in bytes.
    package static let maxValueBytes = 64
}

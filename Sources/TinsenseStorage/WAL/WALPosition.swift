/// A place in the write-ahead log: a WAL file number and a byte offset inside that file.
///
/// Positions order the log: every message has a start and an end position, and a checkpoint
/// is the end position of the last message whose readings are in sealed segments.
public struct WALPosition: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var file: UInt32
    public var offset: UInt64

    public init(file: UInt32, offset: UInt64) {
        self.file = file
        self.offset = offset
    }

    public static func < (lhs: WALPosition, rhs: WALPosition) -> Bool {
        (lhs.file, lhs.offset) < (rhs.file, rhs.offset)
    }

    /// `00000003:1234`, the form used in logs and quarantine lines.
    public var description: String {
        let f = String(file)
        return String(repeating: "0", count: max(0, 8 - f.count)) + f + ":" + String(offset)
    }

    /// Parses the `description` form.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: ":")
        guard parts.count == 2, let f = UInt32(parts[0]), let o = UInt64(parts[1]) else { return nil }
        self.init(file: f, offset: o)
    }
}

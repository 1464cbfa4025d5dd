/// A damaged place in a data file (segment or WAL): what `verify` prints and what readers
/// report while they skip it. In a WAL file, records from `offset` to the end of that file
/// are not trusted.
public struct DamageReport: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var offset: UInt64
    public var reason: String

    public init(path: String, offset: UInt64, reason: String) {
        self.path = path
        self.offset = offset
        self.reason = reason
    }

    public var description: String { "\(path) at offset \(offset): \(reason)" }
}

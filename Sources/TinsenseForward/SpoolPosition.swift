/// A place in the spool: a file number and a byte offset in it. Records before it are
/// acknowledged by VictoriaMetrics (for the cursor) or written (for the writer's end).
struct SpoolPosition: Sendable, Equatable, Comparable, CustomStringConvertible {
    var file: UInt32
    var offset: Int

    static func < (a: SpoolPosition, b: SpoolPosition) -> Bool { (a.file, a.offset) < (b.file, b.offset) }

    /// The first record of `file`.
    static func start(of file: UInt32) -> SpoolPosition { SpoolPosition(file: file, offset: SpoolFormat.headerSize) }

    var description: String { "\(SpoolFormat.fileName(file)):\(offset)" }
}

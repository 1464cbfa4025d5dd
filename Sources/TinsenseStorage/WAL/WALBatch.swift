/// Records encoded ahead of one `write(2)`: how the daemon writes a burst of QoS 0 messages
/// (`IngestSink`), whose delivery nobody acknowledges, with one system call instead of one
/// each. The bytes are exactly what `WriteAheadLog.append(_:topic:payload:)` writes for each
/// record, one after the other (docs/FORMAT.md, "WAL").
public struct WALBatch: Sendable {
    /// The encoded records, back to back.
    public private(set) var bytes: [UInt8] = []
    /// Where each record ends within `bytes`.
    private(set) var ends: [Int] = []

    public init() {}

    public var count: Int { ends.count }
    public var isEmpty: Bool { ends.isEmpty }

    /// Encodes one record at the end of the batch. Throws `WALError.recordTooLarge` (and adds
    /// nothing) when the record cannot be written at all, as `append` would.
    public mutating func add(_ delivery: WALDelivery, topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer) throws {
        try WALFormat.checkFits(delivery, topic: topic, payload: payload)
        WALFormat.append(delivery, topic: topic, payload: payload, to: &bytes)
        ends.append(bytes.count)
    }

    /// Empties the batch, keeping its buffers unless they grew past `keptCapacity` bytes.
    public mutating func removeAll(keptCapacity: Int = 1 << 18) {
        let keep = bytes.capacity <= keptCapacity
        bytes.removeAll(keepingCapacity: keep)
        ends.removeAll(keepingCapacity: keep)
    }
}

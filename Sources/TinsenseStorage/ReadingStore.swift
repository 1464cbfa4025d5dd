import TinsenseCore

/// What storage did with a reading the pipeline handed it.
public enum AppendOutcome: Sendable, Equatable {
    /// In the head; it will be in the next sealed segment.
    case stored
    /// This (sensor, source time) is already stored; the reading was refused (idempotent replay,
    /// broker redelivery). The daemon quarantines it as `duplicate`.
    case duplicate
    /// Older than the out-of-order tolerance behind the series' newest reading; refused. The
    /// daemon quarantines it as `out_of_order`.
    case tooLate
}

/// The storage interface the daemon's pipeline writes through.
///
/// The pipeline is the only caller and calls from one thread. The engine (`SegmentStore`) keeps
/// a bounded in-memory head and seals it into immutable segments; the checkpoint it records in
/// each segment is the WAL position from which a restart must replay.
public protocol ReadingStore: AnyObject {
    /// WAL position up to which every message has been processed and its readings are in sealed
    /// segments; replay starts here (nil = from the beginning of the WAL).
    var checkpoint: WALPosition? { get }

    /// Adds a validated reading to the head.
    func append(_ reading: Reading) throws -> AppendOutcome

    /// Called after each pipeline batch with the WAL end position of the last processed message.
    /// Seals the head when due, records `processedThrough` as the new checkpoint inside the
    /// segment, deletes WAL files wholly before it, then applies retention.
    func sealDueAndApplyRetention(processedThrough: WALPosition?, now: Timestamp) throws

    /// Seals whatever is in the head (graceful shutdown).
    func sealNow(processedThrough: WALPosition?, now: Timestamp) throws
}

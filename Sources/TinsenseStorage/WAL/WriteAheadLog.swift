#if canImport(Glibc)
import Glibc
#endif
import Logging
import Synchronization
import TinsenseCore
import TinsenseSystem

/// The write-ahead log: every raw MQTT message, appended with `write(2)` before libmosquitto
/// may acknowledge it.
///
/// Why by hand: the durability contract needs exact control of `write(2)`, `fdatasync(2)`,
/// `ftruncate(2)` and directory fsyncs, and no torn record may ever read back as valid; a
/// file API that buffers in user space or hides partial writes cannot promise that.
///
/// Thread-safety: `append` runs on the libmosquitto network thread, `sync` on the group-commit
/// timer, `rotate`/`removeFiles` on the pipeline thread; a `Mutex` orders them.
public final class WriteAheadLog: Sendable {
    /// `<data>/wal`
    public let directory: String
    public let maxFileBytes: Int
    let logger: Logger
    private let state: Guarded<State>
    /// Called with each file's path just before `removeFiles` deletes it (the raw-stream
    /// archive hard-links it away). It cannot refuse: a failing archive must never stall ingest.
    private let archive = Guarded<(@Sendable (String) -> Void)?>(nil)

    struct State {
        var fd: Int32
        var fileNumber: UInt32
        var size: UInt64
        var dirty: Bool
        var closed: Bool
        var scratch: [UInt8]
    }

    /// Opens (creating if needed) `<dataDirectory>/wal`. A torn or corrupt tail of the newest
    /// file is detected by CRC and truncated away; damage in older files is logged and
    /// reported by `scan()` (records after it in that file are not trusted).
    public init(directory dataDirectory: String, maxFileBytes: Int = 64 << 20, logger: Logger) throws {
        self.directory = dataDirectory + "/wal"
        self.maxFileBytes = max(maxFileBytes, 4096)
        self.logger = logger
        try PosixIO.makeDirectories(self.directory)
        let numbers = try WriteAheadLog.fileNumbers(in: self.directory)
        var fd: Int32
        var number: UInt32
        var size: UInt64
        if let last = numbers.last {
            let path = self.directory + "/" + WALFormat.fileName(last)
            let scan = try WALFileScanner.scan(path: path, fileNumber: last)
            if let damage = scan.damage {
                logger.warning("WAL tail damaged; truncating", metadata: [
                    "file": "\(path)", "offset": "\(damage.offset)", "reason": "\(damage.reason)",
                    "bytes_dropped": "\(scan.fileSize - scan.validEnd)",
                ])
            }
            fd = try PosixIO.open(path, flags: O_WRONLY)
            if scan.validEnd < UInt64(WALFormat.fileMagic.count) {
                // Crashed before even the header was complete: rewrite it.
                try PosixIO.truncate(fd, to: 0)
                try PosixIO.writeAll(fd, WALFormat.fileMagic, at: 0)
                size = UInt64(WALFormat.fileMagic.count)
            } else {
                if scan.validEnd < scan.fileSize { try PosixIO.truncate(fd, to: scan.validEnd) }
                size = scan.validEnd
            }
            try PosixIO.fsync(fd)
            number = last
            if try WriteAheadLog.isVersion1(path: path) {
                // Records of version 2 never go into a version 1 file: continue in a new one.
                _ = Glibc.close(fd)
                number = last + 1
                (fd, size) = try WriteAheadLog.createFile(directory: self.directory, number: number)
            }
        } else {
            number = 1
            (fd, size) = try WriteAheadLog.createFile(directory: self.directory, number: number)
        }
        state = Guarded(State(fd: fd, fileNumber: number, size: size, dirty: false, closed: false, scratch: []))
    }

    deinit {
        state.withLock { s in
            if !s.closed { _ = Glibc.close(s.fd) }
        }
    }

    /// The position just after the last record written.
    public var endPosition: WALPosition {
        state.withLock { WALPosition(file: $0.fileNumber, offset: $0.size) }
    }

    /// Appends one message with a single `write(2)` and returns the position just after it.
    /// `payload` may be a prefix of the message (`delivery.payloadBytes` says how long it was).
    ///
    /// On failure (disk full, I/O error) the file is truncated back to where the record began,
    /// so no half record is ever left, and the error is thrown; the caller retries later. A
    /// record too large for the format throws `WALError.recordTooLarge`, which no retry cures:
    /// the caller must keep only a prefix (`WALFormat.maxPayloadBytes` always fits).
    @discardableResult
    public func append(_ delivery: WALDelivery, topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer) throws -> WALPosition {
        try state.withLock { s in
            guard !s.closed else { throw WALError.closed }
            try WALFormat.checkFits(delivery, topic: topic, payload: payload)
            if s.size >= UInt64(maxFileBytes) { try rotateLocked(&s) }
            WALFormat.encode(delivery, topic: topic, payload: payload, into: &s.scratch)
            try s.scratch.withUnsafeBytes { try writeLocked(&s, $0) }
            if s.scratch.count > 1 << 16 { s.scratch = [] }
            return WALPosition(file: s.fileNumber, offset: s.size)
        }
    }

    /// Appends every record of `batch` with a single `write(2)`, all in one file, and returns
    /// where each one ends (in the batch's order). All or nothing: on failure the file is
    /// truncated back to where the batch began and the error is thrown; the batch is unchanged
    /// and can be appended again.
    public func append(_ batch: WALBatch) throws -> [WALPosition] {
        guard !batch.isEmpty else { return [] }
        return try state.withLock { s in
            guard !s.closed else { throw WALError.closed }
            if s.size >= UInt64(maxFileBytes) { try rotateLocked(&s) }
            let start = s.size
            try batch.bytes.withUnsafeBytes { try writeLocked(&s, $0) }
            let file = s.fileNumber
            return batch.ends.map { WALPosition(file: file, offset: start + UInt64($0)) }
        }
    }

    /// Writes `bytes` at the end of the current file, or nothing: never leaves a partial record.
    private func writeLocked(_ s: inout State, _ bytes: UnsafeRawBufferPointer) throws {
        let start = s.size
        do {
            try PosixIO.writeAll(s.fd, bytes, at: start)
        } catch {
            // Never leave a partial record behind; if even this fails, the CRC framing
            // makes the torn tail detectable on the next open.
            try? PosixIO.truncate(s.fd, to: start)
            throw error
        }
        s.size = start + UInt64(bytes.count)
        s.dirty = true
    }

    /// Convenience for byte arrays (tests, tools).
    @discardableResult
    public func append(_ record: WALRecord) throws -> WALPosition {
        let delivery = WALDelivery(
            receiveTime: record.receiveTime, qos: record.qos, retained: record.retained,
            packetID: record.packetID, connection: record.connection, payloadBytes: record.payloadBytes
        )
        return try record.topic.withUnsafeBytes { t in
            try record.payload.withUnsafeBytes { p in try append(delivery, topic: t, payload: p) }
        }
    }

    /// Group commit: makes everything appended so far durable (`fdatasync`).
    public func sync() throws {
        try state.withLock { s in
            guard !s.closed, s.dirty else { return }
            try PosixIO.fdatasync(s.fd)
            s.dirty = false
        }
    }

    /// Closes the current file (fsynced) and starts a new one, so that older files can be
    /// deleted once their messages are in sealed segments. Returns where the closed file
    /// ended (read under the same lock as appends, so a caller can tell whether a checkpoint
    /// covers the whole file).
    @discardableResult
    public func rotate() throws -> WALPosition {
        try state.withLock { s in
            guard !s.closed else { throw WALError.closed }
            let end = WALPosition(file: s.fileNumber, offset: s.size)
            if s.size > UInt64(WALFormat.fileMagic.count) { try rotateLocked(&s) }
            return end
        }
    }

    private func rotateLocked(_ s: inout State) throws {
        try PosixIO.fsync(s.fd)
        let (fd, size) = try WriteAheadLog.createFile(directory: directory, number: s.fileNumber + 1)
        _ = Glibc.close(s.fd)
        s.fd = fd
        s.fileNumber += 1
        s.size = size
        s.dirty = false
    }

    /// Hands every file `removeFiles` is about to delete to `keep` first (see `archive`).
    public func keepRemovedFiles(with keep: @escaping @Sendable (String) -> Void) {
        archive.withLock { $0 = keep }
    }

    /// Deletes WAL files numbered below `position.file` (their messages are all before the
    /// checkpoint) and fsyncs the directory. Returns how many were removed.
    @discardableResult
    public func removeFiles(before position: WALPosition) throws -> Int {
        let current = state.withLock { $0.fileNumber }
        var removed = 0
        for n in try WriteAheadLog.fileNumbers(in: directory) where n < position.file && n < current {
            let path = directory + "/" + WALFormat.fileName(n)
            if let keep = archive.withLock({ $0 }) { keep(path) }
            try PosixIO.unlink(path)
            removed += 1
        }
        if removed > 0 {
            try PosixIO.fsyncDirectory(directory)
            logger.debug("removed checkpointed WAL files", metadata: ["count": "\(removed)", "before": "\(position)"])
        }
        return removed
    }

    /// Iterates over the records from `position` (nil = the oldest file) up to the end
    /// position at the time of the call. Damaged records end their file's iteration.
    public func records(from position: WALPosition?) throws -> WALReader {
        let end = endPosition
        let files = try WriteAheadLog.fileNumbers(in: directory).filter { n in
            n <= end.file && (position == nil || n >= position!.file)
        }
        return WALReader(directory: directory, files: files, start: position, end: end)
    }

    /// Checks every record of every file; returns what is damaged (file, offset, reason).
    public func scan() throws -> [DamageReport] {
        try WriteAheadLog.scan(directory: directory)
    }

    /// Checks the WAL of a data directory without opening it for writing (for `verify`).
    public static func scan(directory walDirectory: String) throws -> [DamageReport] {
        var damage: [DamageReport] = []
        for n in try fileNumbers(in: walDirectory) {
            let r = try WALFileScanner.scan(path: walDirectory + "/" + WALFormat.fileName(n), fileNumber: n)
            if let d = r.damage { damage.append(d) }
        }
        return damage
    }

    /// Closes the file after a final fsync.
    public func close() throws {
        try state.withLock { s in
            guard !s.closed else { return }
            s.closed = true
            try PosixIO.fsync(s.fd)
            _ = Glibc.close(s.fd)
        }
    }

    /// WAL file numbers present in `directory`, ascending.
    public static func fileNumbers(in directory: String) throws -> [UInt32] {
        try PosixIO.listDirectory(directory).compactMap(WALFormat.fileNumber).sorted()
    }

    private static func createFile(directory: String, number: UInt32) throws -> (Int32, UInt64) {
        let path = directory + "/" + WALFormat.fileName(number)
        let fd = try PosixIO.open(path, flags: O_WRONLY | O_CREAT | O_TRUNC)
        do {
            try PosixIO.writeAll(fd, WALFormat.fileMagic, at: 0)
            try PosixIO.fsync(fd)
            try PosixIO.fsyncDirectory(directory)
        } catch {
            // Disk full at rotation is retried every few seconds: a descriptor kept per failed
            // attempt used to exhaust the process's limit. The short file left behind is
            // rewritten by the next attempt or on the next open.
            _ = Glibc.close(fd)
            throw error
        }
        return (fd, UInt64(WALFormat.fileMagic.count))
    }

    /// Whether the file at `path` has a version 1 header.
    private static func isVersion1(path: String) throws -> Bool {
        let fd = try PosixIO.open(path, flags: O_RDONLY)
        defer { _ = Glibc.close(fd) }
        return try PosixIO.read(fd, count: WALFormat.fileMagicVersion1.count, at: 0) == WALFormat.fileMagicVersion1
    }
}

/// Why the WAL refused an operation.
public enum WALError: Error, CustomStringConvertible {
    case closed
    case recordTooLarge(Int)

    public var description: String {
        switch self {
        case .closed: "the WAL is closed"
        case .recordTooLarge(let n): "a message of \(n) bytes is larger than a WAL record may be"
        }
    }
}

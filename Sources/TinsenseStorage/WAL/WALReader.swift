#if canImport(Glibc)
import Glibc
#endif
import TinsenseCore
import TinsenseSystem

/// One record read back from the WAL with where it lies.
public struct WALEntry: Sendable {
    public var start: WALPosition
    public var end: WALPosition
    public var record: WALRecord
}

/// Streams WAL records in order across files with a bounded read buffer, stopping each file
/// at its end snapshot or at the first record that fails its CRC (nothing after it in that
/// file is trusted). Damage met on the way is collected in `damage`.
public struct WALReader: Sequence, IteratorProtocol {
    let directory: String
    var files: [UInt32]
    let start: WALPosition?
    let end: WALPosition
    var current: WALFileCursor?
    public private(set) var damage: [DamageReport] = []

    init(directory: String, files: [UInt32], start: WALPosition?, end: WALPosition) {
        self.directory = directory
        self.files = files
        self.start = start
        self.end = end
    }

    public mutating func next() -> WALEntry? {
        var record = WALRecord.empty
        guard let (start, end) = next(into: &record) else { return nil }
        return WALEntry(start: start, end: end, record: record)
    }

    /// The next record, decoded into `record` (every field replaced; its arrays reused, so a
    /// loop that keeps one record allocates nothing per record), with where it lies; nil at
    /// the end.
    public mutating func next(into record: inout WALRecord) -> (start: WALPosition, end: WALPosition)? {
        while true {
            if current == nil {
                guard !files.isEmpty else { return nil }
                let n = files.removeFirst()
                let path = directory + "/" + WALFormat.fileName(n)
                let limit: UInt64? = n == end.file ? end.offset : nil
                var from = UInt64(WALFormat.fileMagic.count)
                do {
                    if let s = start, s.file == n, s.offset > from {
                        from = try WALReader.resumeOffset(path: path, fileNumber: n, checkpoint: s.offset, limit: limit)
                    }
                    current = try WALFileCursor(path: path, fileNumber: n, from: from, limit: limit)
                } catch {
                    damage.append(DamageReport(path: path, offset: 0, reason: "cannot open: \(error)"))
                    continue
                }
            }
            switch current!.next(into: &record) {
            case .record(let start, let end):
                return (start, end)
            case .end:
                current = nil
            case .damaged(let d):
                damage.append(d)
                current = nil
            }
        }
    }
}

extension WALReader {
    /// Where to resume in the checkpoint's file: at the checkpoint when a valid record starts
    /// there (or the valid records end exactly there), else at the file's first record.
    ///
    /// After a power loss the checkpoint in a sealed segment can lie beyond what reached the
    /// WAL's disk (the segment was fsynced, the WAL tail not yet), and new records are then
    /// appended below it; starting there would land mid-record and make the rest of the file
    /// look damaged. Replaying the whole file instead is safe: storage refuses what it holds.
    static func resumeOffset(path: String, fileNumber: UInt32, checkpoint: UInt64, limit: UInt64?) throws -> UInt64 {
        let first = UInt64(WALFormat.fileMagic.count)
        var cursor = try WALFileCursor(path: path, fileNumber: fileNumber, from: first, limit: limit)
        var validEnd = first
        while validEnd < checkpoint {
            guard case .entry(let e) = cursor.next() else { break }
            validEnd = e.end.offset
        }
        return validEnd == checkpoint ? checkpoint : first
    }
}

/// Reads one WAL file's records sequentially.
struct WALFileCursor {
    enum Step { case entry(WALEntry), end, damaged(DamageReport) }
    /// `Step` of `next(into:)`: the record went into the caller's.
    enum RecordStep { case record(start: WALPosition, end: WALPosition), end, damaged(DamageReport) }

    let path: String
    let fileNumber: UInt32
    let fd: FileDescriptorBox
    var offset: UInt64
    let limit: UInt64
    var buffer: [UInt8] = []
    var bufferStart: UInt64
    var headerChecked: Bool

    init(path: String, fileNumber: UInt32, from: UInt64, limit: UInt64?) throws {
        self.path = path
        self.fileNumber = fileNumber
        fd = FileDescriptorBox(try PosixIO.open(path, flags: O_RDONLY))
        let size = try PosixIO.fileSize(fd.fd)
        self.limit = min(limit ?? size, size)
        offset = from
        bufferStart = from
        headerChecked = false
    }

    /// Makes sure `buffer` holds bytes [offset, offset+count) if the file has them.
    mutating func fill(_ count: Int) throws -> Bool {
        let have = Int(bufferStart + UInt64(buffer.count)) - Int(offset)
        if offset >= bufferStart, have >= count { return true }
        guard offset + UInt64(count) <= limit else { return false }
        let want = max(count, 1 << 20)
        let toRead = Int(min(UInt64(want), limit - offset))
        buffer = try PosixIO.read(fd.fd, count: toRead, at: offset)
        bufferStart = offset
        return buffer.count >= count
    }

    mutating func next() -> Step {
        var record = WALRecord.empty
        switch next(into: &record) {
        case .record(let start, let end): return .entry(WALEntry(start: start, end: end, record: record))
        case .end: return .end
        case .damaged(let d): return .damaged(d)
        }
    }

    mutating func next(into record: inout WALRecord) -> RecordStep {
        do {
            if !headerChecked {
                headerChecked = true
                let magic = try PosixIO.read(fd.fd, count: WALFormat.fileMagic.count, at: 0)
                if !WALFormat.isKnownHeader(magic) {
                    return .damaged(DamageReport(path: path, offset: 0, reason: "bad file header (not a tinsense WAL file or unsupported version)"))
                }
            }
            if offset >= limit { return .end }
            guard try fill(WALFormat.recordHeaderSize) else {
                return .damaged(DamageReport(path: path, offset: offset, reason: "truncated record header"))
            }
            let base = Int(offset - bufferStart)
            let (length, crc) = buffer.withUnsafeBytes { p in
                (Int(WALFormat.readLE(UInt32.self, p, at: base)), WALFormat.readLE(UInt32.self, p, at: base + 4))
            }
            guard length >= WALFormat.bodyFixedSize, length <= WALFormat.maxBodySize else {
                return .damaged(DamageReport(path: path, offset: offset, reason: "implausible record length \(length)"))
            }
            guard try fill(WALFormat.recordHeaderSize + length) else {
                return .damaged(DamageReport(path: path, offset: offset, reason: "truncated record (needs \(length) body bytes)"))
            }
            let b = Int(offset - bufferStart) + WALFormat.recordHeaderSize
            let decoded = buffer.withUnsafeBytes { p in
                let body = UnsafeRawBufferPointer(rebasing: p[b..<(b + length)])
                return CRC32C.checksum(body) == crc && WALFormat.decodeBody(body, into: &record)
            }
            guard decoded else {
                return .damaged(DamageReport(path: path, offset: offset, reason: "record checksum mismatch"))
            }
            let start = WALPosition(file: fileNumber, offset: offset)
            offset += UInt64(WALFormat.recordHeaderSize + length)
            return .record(start: start, end: WALPosition(file: fileNumber, offset: offset))
        } catch {
            return .damaged(DamageReport(path: path, offset: offset, reason: "read error: \(error)"))
        }
    }
}

/// Closes its descriptor when the last copy goes away.
final class FileDescriptorBox {
    let fd: Int32
    init(_ fd: Int32) { self.fd = fd }
    deinit { _ = Glibc.close(fd) }
}

/// Finds where the valid records of one WAL file end.
enum WALFileScanner {
    struct Result {
        var validEnd: UInt64
        var fileSize: UInt64
        var damage: DamageReport?
    }

    static func scan(path: String, fileNumber: UInt32) throws -> Result {
        var cursor = try WALFileCursor(path: path, fileNumber: fileNumber, from: UInt64(WALFormat.fileMagic.count), limit: nil)
        let size = cursor.limit
        var validEnd = UInt64(WALFormat.fileMagic.count)
        if size < validEnd {
            return Result(validEnd: 0, fileSize: size, damage: DamageReport(path: path, offset: 0, reason: "file shorter than its header"))
        }
        while true {
            switch cursor.next() {
            case .entry(let e): validEnd = e.end.offset
            case .end: return Result(validEnd: validEnd, fileSize: size, damage: nil)
            case .damaged(let d):
                return Result(validEnd: d.offset == 0 ? 0 : validEnd, fileSize: size, damage: d)
            }
        }
    }
}

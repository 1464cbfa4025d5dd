#if canImport(Glibc)
import Glibc
#endif
import TinsenseCore
import TinsenseEncoding

/// Writes one segment: series are encoded as they are appended, grouped by identical time
/// columns, and at `finish` written as records into `NNNNNNNN.seg.tmp`, then the index and
/// footer, then fsync, rename and a directory fsync, so a segment is either wholly there or
/// not at all.
///
/// Grouping: each series is cut into chunks of at most `chunkMaxSamples`; a chunk's time part
/// (`ChunkEncoder.encodeTimes`) is the key, so chunks with equal source and receive times
/// (the channels of one CSV row, the values of one multi-value payload) share one record and
/// store their times once. The encoded parts are held until `finish` (about the size of the
/// segment, far less than the head they come from).
///
/// POSIX calls by hand (through `PosixIO`) because the order write → fsync → rename →
/// fsync(dir) is the durability argument and no file API states it.
final class SegmentWriter {
    let directory: String
    let sequence: UInt64
    let temporaryPath: String
    let finalPath: String
    private var fd: Int32
    private var offset: UInt64 = 0
    private var buffer: [UInt8] = []
    private var closed = false
    /// A group is split into several records rather than grow one past this many bytes.
    let recordTargetBytes: Int

    /// Chunks with the same time part, in the order their first member was appended.
    private struct Group {
        var timePart: [UInt8]
        var sampleCount: Int
        var minTime: Int64
        var maxTime: Int64
        var members: [Member]
    }

    private struct Member {
        var name: [UInt8]
        /// The value part in `values`.
        var start: Int
        var count: Int
    }

    private var groups: [Group] = []
    private var groupByTimePart: [[UInt8]: Int] = [:]
    /// Every member's value part, back to back.
    private var values = ByteSink(capacity: 1 << 16)
    /// The previous series' times and the group of each of its chunks: consecutive series
    /// with the same times (the common case) skip encoding and hashing them again.
    private var previous: (source: [Int64], receive: [Int64], chunkMaxSamples: Int, groups: [Int])?

    /// Creates the temporary file (fails if it exists: two writers never share one).
    init(directory: String, sequence: UInt64, recordTargetBytes: Int = SegmentFormat.recordTargetBytes) throws {
        self.directory = directory
        self.recordTargetBytes = recordTargetBytes
        self.sequence = sequence
        finalPath = directory + "/" + SegmentFormat.fileName(sequence: sequence)
        temporaryPath = finalPath + SegmentFormat.temporarySuffix
        fd = try PosixIO.open(temporaryPath, flags: O_WRONLY | O_CREAT | O_EXCL, mode: 0o640)
        buffer.reserveCapacity(1 << 20)
        buffer.append(contentsOf: SegmentFormat.headerMagic)
    }

    deinit {
        if !closed { abandon() }
    }

    /// Encodes one series' samples (sorted by source time) as one or more chunks. A sensor
    /// is appended at most once per segment.
    func append(sensor: String, columns: ChunkColumns, chunkMaxSamples: Int, level: Int32) throws {
        let name = Array(sensor.utf8)
        guard name.count <= SegmentFormat.maxSensorBytes else { throw StorageError.sensorTooLong(name.count) }
        guard !columns.isEmpty else { return }
        let sameTimes = previous.map {
            $0.chunkMaxSamples == chunkMaxSamples && $0.source == columns.sourceTimes && $0.receive == columns.receiveTimes
        } ?? false
        var chunkGroups: [Int] = []
        var start = 0
        while start < columns.count {
            let end = min(columns.count, start + chunkMaxSamples)
            let part = start == 0 && end == columns.count ? columns : columns.slice(start..<end)
            let g: Int
            if sameTimes, let previous {
                g = previous.groups[chunkGroups.count]
            } else {
                var sink = ByteSink(capacity: part.count * 2 + 16)
                ChunkEncoder.encodeTimes(sourceTimes: part.sourceTimes, receiveTimes: part.receiveTimes, level: level, into: &sink)
                let timePart = sink.bytes
                if let existing = groupByTimePart[timePart] {
                    g = existing
                } else {
                    g = groups.count
                    groupByTimePart[timePart] = g
                    groups.append(Group(timePart: timePart, sampleCount: part.count, minTime: part.sourceTimes.first!,
                                        maxTime: part.sourceTimes.last!, members: []))
                }
            }
            let valueStart = values.count
            ChunkEncoder.encodeValues(part, level: level, into: &values)
            groups[g].members.append(Member(name: name, start: valueStart, count: values.count - valueStart))
            chunkGroups.append(g)
            start = end
        }
        previous = (columns.sourceTimes, columns.receiveTimes, chunkMaxSamples, chunkGroups)
    }

    /// Writes every group as records (members in sensor byte order; a group whose record
    /// would outgrow `recordTargetBytes` is split, each part repeating the time part).
    private func writeRecords() throws -> ([SegmentRecordRef], [String: [SegmentChunkRef]]) {
        var records: [SegmentRecordRef] = []
        var chunks: [String: [SegmentChunkRef]] = [:]
        try values.withUnsafeBytes { arena in
            for group in groups {
                let members = group.members.sorted { $0.name.lexicographicallyPrecedes($1.name) }
                var first = 0
                while first < members.count {
                    var last = first + 1
                    var size = group.timePart.count + members[first].name.count + members[first].count
                    while last < members.count {
                        let more = members[last].name.count + members[last].count + 8
                        guard size + more <= recordTargetBytes else { break }
                        size += more
                        last += 1
                    }
                    let part = members[first..<last].map { m in
                        (name: m.name, values: UnsafeRawBufferPointer(rebasing: arena[m.start..<(m.start + m.count)]))
                    }
                    let recordOffset = offset + UInt64(buffer.count)
                    let length = group.timePart.withUnsafeBytes { SegmentRecord.write(timePart: $0, members: part, into: &buffer) }
                    guard length - SegmentFormat.recordHeaderSize <= SegmentFormat.maxRecordBytes else {
                        throw StorageError.badValue("a record of \(length) bytes exceeds the format's limit")
                    }
                    let ref = SegmentRecordRef(offset: recordOffset, length: UInt32(length), memberCount: UInt32(part.count),
                                               sampleCount: UInt32(group.sampleCount), minTime: group.minTime, maxTime: group.maxTime)
                    records.append(ref)
                    for (m, member) in part.enumerated() {
                        chunks[String(decoding: member.name, as: UTF8.self), default: []].append(SegmentChunkRef(ref, member: UInt32(m)))
                    }
                    if buffer.count >= 1 << 20 { try flush() }
                    first = last
                }
            }
        }
        return (records, chunks)
    }

    private func flush() throws {
        guard !buffer.isEmpty else { return }
        try PosixIO.writeAll(fd, buffer, at: offset)
        offset += UInt64(buffer.count)
        buffer.removeAll(keepingCapacity: true)
    }

    /// Writes index and footer and makes the segment durable under its final name.
    /// `observe` is called after each step (tests stop there).
    func finish(checkpoint: WALPosition?, createdAt: Int64, observe: (SealStep) -> Void) throws -> SegmentSummary {
        let (records, chunks) = try writeRecords()
        let series = chunks.map { SegmentSeries(sensor: $0.key, chunks: $0.value.sorted { $0.minTime < $1.minTime }) }
            .sorted { $0.sensor.utf8.lexicographicallyPrecedes($1.sensor.utf8) }
        let index = SegmentIndex(createdAt: createdAt, checkpoint: checkpoint, records: records, series: series)
        let indexBytes = index.encode()
        let indexOffset = offset + UInt64(buffer.count)
        buffer.append(contentsOf: indexBytes)
        SegmentFormat.appendLE(indexOffset, to: &buffer)
        SegmentFormat.appendLE(UInt32(indexBytes.count), to: &buffer)
        SegmentFormat.appendLE(CRC32C.checksum(indexBytes), to: &buffer)
        buffer.append(contentsOf: SegmentFormat.footerMagic)
        try flush()
        observe(.temporaryWritten)
        try PosixIO.fsync(fd)
        closed = true
        _ = Glibc.close(fd)
        observe(.temporarySynced)
        try PosixIO.rename(temporaryPath, finalPath)
        observe(.renamed)
        try PosixIO.fsyncDirectory(directory)
        observe(.directorySynced)
        return SegmentSummary(path: finalPath, sequence: sequence, index: index, bytes: offset)
    }

    /// Closes and deletes the temporary file after a failure (best effort: a leftover
    /// `.tmp` is never read and is deleted on the next open).
    func abandon() {
        if !closed {
            closed = true
            _ = Glibc.close(fd)
        }
        try? PosixIO.unlink(temporaryPath)
    }
}

/// What the store remembers about a sealed segment without keeping its index in memory.
struct SegmentSummary: Sendable {
    var path: String
    var sequence: UInt64
    var minTime: Int64
    var maxTime: Int64
    var sampleCount: UInt64
    var checkpoint: WALPosition?
    var bytes: UInt64

    init(path: String, sequence: UInt64, index: SegmentIndex, bytes: UInt64) {
        self.path = path
        self.sequence = sequence
        minTime = index.minTime
        maxTime = index.maxTime
        sampleCount = index.sampleCount
        checkpoint = index.checkpoint
        self.bytes = bytes
    }
}

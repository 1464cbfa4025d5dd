#if canImport(Glibc)
import Glibc
#endif
import TinsenseCore
import TinsenseEncoding
import TinsenseSystem

/// Writes one segment: series are encoded as they are appended and grouped by identical
/// time columns; each group is written as records into `NNNNNNNN.seg.tmp`; `finish` adds
/// the index and footer, then fsync, rename and a directory fsync, so a segment is either
/// wholly there or not at all.
///
/// Grouping: each series is cut into chunks of at most `chunkMaxSamples`; a chunk's time part
/// (`ChunkEncoder.encodeTimes`) is the key, so chunks with equal source and receive times
/// (the channels of one CSV row, the values of one multi-value payload) share one record and
/// store their times once. Groups stay open (encoded, in memory) so later series can join
/// them; when they hold more than `pendingBudget` bytes the oldest are written out, which
/// bounds the writer's memory whatever the head holds. A series whose times match a group
/// already written starts a new group: correct, merely less compact. Series arrive sorted by
/// id and series that share times usually have neighbouring ids, so this is rare.
///
/// POSIX calls by hand (through `PosixIO`) because the order write → fsync → rename →
/// fsync(dir) is the durability argument and no file API states it.
final class SegmentWriter {
    /// Default bound on encoded bytes held in open groups: enough for series sharing times
    /// that are hundreds of series apart, small beside the head (which holds ~6 bytes per
    /// sample until the seal ends).
    static let defaultPendingBudget = 1 << 20

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
    /// Open groups are written out, oldest first, once they hold more than this.
    let pendingBudget: Int
    /// zstd level of the index (higher levels gain a few bytes on small indexes and cost
    /// megabytes of working memory on large ones).
    let indexLevel: Int32

    /// Chunks with the same time part.
    private struct Group {
        var timePart: [UInt8]
        var sampleCount: Int
        var minTime: Int64
        var maxTime: Int64
        var members: [Member] = []
        /// Bytes held for this group (time part, names, value parts).
        var held = 0
    }

    private struct Member {
        var name: [UInt8]
        var values: [UInt8]
    }

    /// Open groups by number; numbers are given in creation order and groups are written
    /// oldest first, so the open ones are always `firstOpen ..< nextGroup`.
    private var open: [Int: Group] = [:]
    private var firstOpen = 0
    private var nextGroup = 0
    private var groupByTimePart: [[UInt8]: Int] = [:]
    private var pendingBytes = 0
    /// The previous series' times and the group of each of its chunks: consecutive series
    /// with the same times (the common case) skip encoding and hashing them again.
    private var previous: (source: [Int64], receive: [Int64], chunkMaxSamples: Int, groups: [Int])?
    /// Written so far, for the index.
    private var records: [SegmentRecordRef] = []
    private var chunks: [String: [SegmentChunkRef]] = [:]

    /// Creates the temporary file (fails if it exists: two writers never share one).
    init(directory: String, sequence: UInt64, recordTargetBytes: Int = SegmentFormat.recordTargetBytes,
         pendingBudget: Int = SegmentWriter.defaultPendingBudget, indexLevel: Int32 = ChunkFormat.defaultLevel) throws {
        self.directory = directory
        self.sequence = sequence
        self.recordTargetBytes = recordTargetBytes
        self.pendingBudget = pendingBudget
        self.indexLevel = indexLevel
        finalPath = directory + "/" + SegmentFormat.fileName(sequence: sequence)
        temporaryPath = finalPath + SegmentFormat.temporarySuffix
        fd = try PosixIO.open(temporaryPath, flags: O_WRONLY | O_CREAT | O_EXCL)
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
            var group: Int?
            if sameTimes, let previous, open[previous.groups[chunkGroups.count]] != nil {
                group = previous.groups[chunkGroups.count]
            }
            if group == nil {
                var sink = ByteSink(capacity: part.count * 2 + 16)
                ChunkEncoder.encodeTimes(sourceTimes: part.sourceTimes, receiveTimes: part.receiveTimes, level: level, into: &sink)
                let timePart = sink.bytes
                if let existing = groupByTimePart[timePart] {
                    group = existing
                } else {
                    group = nextGroup
                    groupByTimePart[timePart] = nextGroup
                    open[nextGroup] = Group(timePart: timePart, sampleCount: part.count, minTime: part.sourceTimes.first!,
                                            maxTime: part.sourceTimes.last!, held: timePart.count)
                    pendingBytes += timePart.count
                    nextGroup += 1
                }
            }
            let g = group!
            var sink = ByteSink(capacity: part.count * 3 + 64)
            ChunkEncoder.encodeValues(part, level: level, into: &sink)
            let member = Member(name: name, values: sink.bytes)
            let held = name.count + member.values.count + 16
            open[g]!.members.append(member)
            open[g]!.held += held
            pendingBytes += held
            chunkGroups.append(g)
            start = end
        }
        previous = (columns.sourceTimes, columns.receiveTimes, chunkMaxSamples, chunkGroups)
        if pendingBytes > pendingBudget {
            while pendingBytes > pendingBudget / 2, firstOpen < nextGroup { try writeOldestGroup() }
        }
    }

    /// Writes the oldest open group as records (members in sensor byte order; a group whose
    /// record would outgrow `recordTargetBytes` is split, each part repeating the time part).
    private func writeOldestGroup() throws {
        guard let group = open.removeValue(forKey: firstOpen) else { return }
        firstOpen += 1
        groupByTimePart[group.timePart] = nil
        pendingBytes -= group.held
        let members = group.members.sorted { $0.name.lexicographicallyPrecedes($1.name) }
        var first = 0
        while first < members.count {
            var last = first + 1
            var size = group.timePart.count + members[first].name.count + members[first].values.count
            while last < members.count {
                let more = members[last].name.count + members[last].values.count + 8
                guard size + more <= recordTargetBytes else { break }
                size += more
                last += 1
            }
            let part = members[first..<last].map { (name: $0.name, values: $0.values) }
            let recordOffset = offset + UInt64(buffer.count)
            let length = SegmentRecord.write(timePart: group.timePart, members: part, into: &buffer)
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

    private func flush() throws {
        guard !buffer.isEmpty else { return }
        try PosixIO.writeAll(fd, buffer, at: offset)
        offset += UInt64(buffer.count)
        buffer.removeAll(keepingCapacity: true)
    }

    /// Writes index and footer and makes the segment durable under its final name.
    /// `observe` is called after each step (tests stop there).
    func finish(checkpoint: WALPosition?, createdAt: Int64, observe: (SealStep) -> Void) throws -> SegmentSummary {
        while firstOpen < nextGroup { try writeOldestGroup() }
        let series = chunks.map { SegmentSeries(sensor: $0.key, chunks: $0.value.sorted { $0.minTime < $1.minTime }) }
            .sorted { $0.sensor.utf8.lexicographicallyPrecedes($1.sensor.utf8) }
        let index = SegmentIndex(createdAt: createdAt, checkpoint: checkpoint, records: records, series: series)
        let indexBytes = index.encode(level: indexLevel)
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

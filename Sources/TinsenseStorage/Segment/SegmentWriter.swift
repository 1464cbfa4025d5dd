#if canImport(Glibc)
import Glibc
#endif
import TinsenseCore
import TinsenseEncoding

/// Writes one segment: chunks stream into `NNNNNNNN.seg.tmp`, then the index and footer, then
/// fsync, rename and a directory fsync, so a segment is either wholly there or not at all.
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
    private var series: [SegmentSeries] = []
    private var minTime = Int64.max
    private var maxTime = Int64.min
    private var sampleCount: UInt64 = 0
    private var closed = false

    /// Creates the temporary file (fails if it exists: two writers never share one).
    init(directory: String, sequence: UInt64) throws {
        self.directory = directory
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

    /// Appends one series' samples (sorted by source time) as one or more chunks.
    func append(sensor: String, columns: ChunkColumns, chunkMaxSamples: Int, level: Int32) throws {
        let name = Array(sensor.utf8)
        guard name.count <= Int(UInt16.max) else { throw StorageError.sensorTooLong(name.count) }
        var refs: [SegmentChunkRef] = []
        var start = 0
        while start < columns.count {
            let end = min(columns.count, start + chunkMaxSamples)
            let part = start == 0 && end == columns.count ? columns : columns.slice(start..<end)
            var body: [UInt8] = []
            SegmentFormat.appendLE(UInt16(name.count), to: &body)
            body.append(contentsOf: name)
            body.append(contentsOf: ChunkEncoder.encode(part, level: level))
            let crc = CRC32C.checksum(body)
            let recordOffset = offset + UInt64(buffer.count)
            SegmentFormat.appendLE(UInt32(body.count), to: &buffer)
            SegmentFormat.appendLE(crc, to: &buffer)
            buffer.append(contentsOf: body)
            let lo = part.sourceTimes.first!, hi = part.sourceTimes.last!
            refs.append(SegmentChunkRef(offset: recordOffset, length: UInt32(SegmentFormat.chunkHeaderSize + body.count),
                                        sampleCount: UInt32(part.count), minTime: lo, maxTime: hi))
            minTime = min(minTime, lo)
            maxTime = max(maxTime, hi)
            sampleCount += UInt64(part.count)
            if buffer.count >= 1 << 20 { try flush() }
            start = end
        }
        if !refs.isEmpty { series.append(SegmentSeries(sensor: sensor, chunks: refs)) }
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
        series.sort { $0.sensor.utf8.lexicographicallyPrecedes($1.sensor.utf8) }
        let index = SegmentIndex(
            minTime: sampleCount == 0 ? 0 : minTime, maxTime: sampleCount == 0 ? 0 : maxTime,
            sampleCount: sampleCount, createdAt: createdAt, checkpoint: checkpoint, series: series)
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

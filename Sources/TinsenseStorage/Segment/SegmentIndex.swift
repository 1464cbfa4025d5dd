import TinsenseCore
import TinsenseEncoding

/// One record of a segment as the index describes it.
public struct SegmentRecordRef: Sendable, Equatable {
    /// Offset of the record (its 8-byte header) in the file.
    public var offset: UInt64
    /// Length of the whole record, header included.
    public var length: UInt32
    /// Series sharing the record's time part.
    public var memberCount: UInt32
    public var sampleCount: UInt32
    public var minTime: Int64
    public var maxTime: Int64

    public init(offset: UInt64, length: UInt32, memberCount: UInt32, sampleCount: UInt32, minTime: Int64, maxTime: Int64) {
        self.offset = offset
        self.length = length
        self.memberCount = memberCount
        self.sampleCount = sampleCount
        self.minTime = minTime
        self.maxTime = maxTime
    }
}

/// One chunk of a series: member `member` of the record at `offset`. Sample count and times
/// are the record's (all members share its time part).
public struct SegmentChunkRef: Sendable, Equatable {
    /// Offset of the record (its 8-byte header) in the file.
    public var offset: UInt64
    /// Length of the whole record, header included.
    public var length: UInt32
    /// Position of the series among the record's members (0-based).
    public var member: UInt32
    public var sampleCount: UInt32
    public var minTime: Int64
    public var maxTime: Int64

    public init(offset: UInt64, length: UInt32, member: UInt32, sampleCount: UInt32, minTime: Int64, maxTime: Int64) {
        self.offset = offset
        self.length = length
        self.member = member
        self.sampleCount = sampleCount
        self.minTime = minTime
        self.maxTime = maxTime
    }

    init(_ record: SegmentRecordRef, member: UInt32) {
        self.init(offset: record.offset, length: record.length, member: member, sampleCount: record.sampleCount,
                  minTime: record.minTime, maxTime: record.maxTime)
    }
}

/// One series' chunks in a segment, in time order.
public struct SegmentSeries: Sendable, Equatable {
    public var sensor: String
    public var chunks: [SegmentChunkRef]
}

/// A segment's index: its records in file order, its WAL checkpoint, and every series with
/// the (record, member) of each of its chunks (docs/FORMAT.md, "Index").
///
/// On disk it is one section, `u8 codec | varint rawLength | [varint storedLength] | payload`
/// (codec 1: one zstd frame), whose content is varints throughout: record offsets are implied
/// (records tile the file from offset 8), times are deltas, sensor ids are front-coded in
/// sorted order, and a chunk entry is a record-number delta and a member position.
public struct SegmentIndex: Sendable, Equatable {
    /// Smallest source time in the segment (0 if empty).
    public private(set) var minTime: Int64
    /// Largest source time in the segment (0 if empty).
    public private(set) var maxTime: Int64
    public private(set) var sampleCount: UInt64
    /// Wall-clock time of sealing (epoch ms).
    public var createdAt: Int64
    /// WAL position through which every message was processed when this segment was sealed.
    public var checkpoint: WALPosition?
    /// In file order; the first at offset 8, each next one right after the previous.
    public private(set) var records: [SegmentRecordRef]
    /// Sorted by the sensor's UTF-8 bytes.
    public private(set) var series: [SegmentSeries]

    /// `records` must tile the file from offset 8; `series` must be sorted, each chunk
    /// pointing at a record of `records`, and every member of every record used once.
    public init(createdAt: Int64, checkpoint: WALPosition?, records: [SegmentRecordRef], series: [SegmentSeries]) {
        self.createdAt = createdAt
        self.checkpoint = checkpoint
        self.records = records
        self.series = series
        var lo = Int64.max, hi = Int64.min
        var n: UInt64 = 0
        for s in series {
            for c in s.chunks {
                lo = min(lo, c.minTime)
                hi = max(hi, c.maxTime)
                n += UInt64(c.sampleCount)
            }
        }
        sampleCount = n
        minTime = n == 0 ? 0 : lo
        maxTime = n == 0 ? 0 : hi
    }

    /// The index bytes: the content, zstd-compressed at `level` when that is smaller.
    public func encode(level: Int32 = ChunkFormat.defaultLevel) -> [UInt8] {
        var content = ByteSink(capacity: 64 + records.count * 16 + series.count * 24)
        content.appendSigned(createdAt)
        if let c = checkpoint {
            content.append(1)
            content.appendVarint(UInt64(c.file))
            content.appendVarint(c.offset)
        } else {
            content.append(0)
        }
        content.appendVarint(UInt64(records.count))
        var recordNumber: [UInt64: Int] = [:]
        var previousMin: Int64 = 0
        for (i, r) in records.enumerated() {
            recordNumber[r.offset] = i
            content.appendVarint(UInt64(r.length))
            content.appendVarint(UInt64(r.memberCount))
            content.appendVarint(UInt64(r.sampleCount))
            content.appendSigned(r.minTime &- previousMin)
            content.appendVarint(UInt64(bitPattern: r.maxTime &- r.minTime))
            previousMin = r.minTime
        }
        content.appendVarint(UInt64(series.count))
        var previousName: [UInt8] = []
        var previousRecord = 0
        for s in series {
            let name = Array(s.sensor.utf8)
            let shared = SegmentRecord.commonPrefixLength(previousName, name)
            content.appendVarint(UInt64(shared))
            content.appendVarint(UInt64(name.count - shared))
            name[shared...].withUnsafeBytes { content.append($0) }
            previousName = name
            content.appendVarint(UInt64(s.chunks.count))
            for c in s.chunks {
                let r = recordNumber[c.offset]!
                content.appendSigned(Int64(r - previousRecord))
                content.appendVarint(UInt64(c.member))
                previousRecord = r
            }
        }
        var out = ByteSink(capacity: content.count + 32)
        ChunkEncoder.writeSection(content, level: level, zstdMinimumBytes: 64, into: &out)
        return out.bytes
    }

    /// Decodes index bytes whose CRC has been checked. `recordsEnd` is the index's offset:
    /// the records must fill the file from the header exactly up to it.
    public static func decode(_ p: UnsafeRawBufferPointer, recordsEnd: UInt64) throws(ChunkDecodingError) -> SegmentIndex {
        var outer = ByteSource(p)
        let index = try ChunkDecoder.withSection(&outer, limit: SegmentFormat.maxIndexBytes) { content throws(ChunkDecodingError) in
            try decodeContent(content, recordsEnd: recordsEnd)
        }
        guard outer.isAtEnd else { throw .malformed("\(outer.remaining) bytes after the index section") }
        return index
    }

    static func decodeContent(_ p: UnsafeRawBufferPointer, recordsEnd: UInt64) throws(ChunkDecodingError) -> SegmentIndex {
        var src = ByteSource(p)
        let createdAt = try src.signed()
        let has = try src.byte()
        var checkpoint: WALPosition?
        switch has {
        case 0: break
        case 1:
            let file = try src.count(limit: Int(UInt32.max))
            checkpoint = WALPosition(file: UInt32(file), offset: try src.varint())
        default: throw .malformed("checkpoint flag \(has)")
        }
        // A record entry takes at least 5 bytes, a chunk entry 2.
        let recordCount = try src.count(limit: src.remaining / 5)
        var records: [SegmentRecordRef] = []
        records.reserveCapacity(recordCount)
        var offset = UInt64(SegmentFormat.headerSize)
        var previousMin: Int64 = 0
        var memberBase: [Int] = []
        memberBase.reserveCapacity(recordCount)
        var totalMembers = 0
        for i in 0..<recordCount {
            let length = try src.count(limit: SegmentFormat.recordHeaderSize + SegmentFormat.maxRecordBytes)
            guard length > SegmentFormat.recordHeaderSize else { throw .malformed("record \(i) of \(length) bytes") }
            let members = try src.count(limit: p.count / 2)
            let samples = try src.count(limit: ChunkFormat.maxSamples)
            guard members >= 1, samples >= 1 else { throw .malformed("record \(i) has no members or samples") }
            let minTime = previousMin &+ (try src.signed())
            let span = try src.varint()
            let maxTime = minTime &+ Int64(bitPattern: span)
            guard span <= UInt64(Int64.max), maxTime >= minTime, samples > 1 || span == 0 else {
                throw .malformed("record \(i) time range")
            }
            guard offset + UInt64(length) <= recordsEnd else { throw .malformed("record \(i) extends past the index") }
            records.append(SegmentRecordRef(offset: offset, length: UInt32(length), memberCount: UInt32(members),
                                            sampleCount: UInt32(samples), minTime: minTime, maxTime: maxTime))
            memberBase.append(totalMembers)
            totalMembers += members
            guard totalMembers <= p.count / 2 else { throw .malformed("more members than the index can reference") }
            offset += UInt64(length)
            previousMin = minTime
        }
        guard offset == recordsEnd else { throw .malformed("records end at \(offset), the index starts at \(recordsEnd)") }

        let seriesCount = try src.count(limit: src.remaining / 4)
        var series: [SegmentSeries] = []
        series.reserveCapacity(seriesCount)
        var used = [Bool](repeating: false, count: totalMembers)
        var usedCount = 0
        var name: [UInt8] = []
        var previousRecord = 0
        for k in 0..<seriesCount {
            let shared = try src.count(limit: name.count)
            let suffixLength = try src.count(limit: SegmentFormat.maxSensorBytes - shared)
            let suffix = try src.bytes(suffixLength)
            let previousName = name
            name.removeSubrange(shared...)
            name.append(contentsOf: suffix)
            guard k == 0 || previousName.lexicographicallyPrecedes(name) else { throw .malformed("series \(k) out of order") }
            let chunkCount = try src.count(limit: src.remaining / 2)
            guard chunkCount >= 1 else { throw .malformed("series \(k) has no chunks") }
            var chunks: [SegmentChunkRef] = []
            chunks.reserveCapacity(chunkCount)
            for _ in 0..<chunkCount {
                let delta = try src.signed()
                let (r, overflow) = Int64(previousRecord).addingReportingOverflow(delta)
                guard !overflow, r >= 0, r < Int64(records.count) else { throw .malformed("series \(k): record \(r) of \(records.count)") }
                let record = records[Int(r)]
                let member = try src.count(limit: Int(record.memberCount) - 1)
                let slot = memberBase[Int(r)] + member
                guard !used[slot] else { throw .malformed("member \(member) of record \(r) listed twice") }
                used[slot] = true
                usedCount += 1
                chunks.append(SegmentChunkRef(record, member: UInt32(member)))
                previousRecord = Int(r)
            }
            series.append(SegmentSeries(sensor: String(decoding: name, as: UTF8.self), chunks: chunks))
        }
        guard usedCount == totalMembers else { throw .malformed("\(totalMembers - usedCount) record members belong to no series") }
        guard src.isAtEnd else { throw .malformed("\(src.remaining) bytes after the last series") }
        return SegmentIndex(createdAt: createdAt, checkpoint: checkpoint, records: records, series: series)
    }
}

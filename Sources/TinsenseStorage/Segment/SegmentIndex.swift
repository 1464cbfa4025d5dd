import TinsenseCore

/// Where one chunk lies in a segment file and what it covers.
public struct SegmentChunkRef: Sendable, Equatable {
    /// Offset of the chunk record (its 8-byte header) in the file.
    public var offset: UInt64
    /// Length of the whole record, header included.
    public var length: UInt32
    public var sampleCount: UInt32
    public var minTime: Int64
    public var maxTime: Int64

    public init(offset: UInt64, length: UInt32, sampleCount: UInt32, minTime: Int64, maxTime: Int64) {
        self.offset = offset
        self.length = length
        self.sampleCount = sampleCount
        self.minTime = minTime
        self.maxTime = maxTime
    }
}

/// One series' chunks in a segment, in time order.
public struct SegmentSeries: Sendable, Equatable {
    public var sensor: String
    public var chunks: [SegmentChunkRef]
}

/// A segment's index: what it covers, its WAL checkpoint, and every chunk by series.
public struct SegmentIndex: Sendable, Equatable {
    public var minTime: Int64
    public var maxTime: Int64
    public var sampleCount: UInt64
    /// Wall-clock time of sealing (epoch ms).
    public var createdAt: Int64
    /// WAL position through which every message was processed when this segment was sealed.
    public var checkpoint: WALPosition?
    /// Sorted by the sensor's UTF-8 bytes.
    public var series: [SegmentSeries]

    /// `i64 minTime | i64 maxTime | u64 sampleCount | i64 createdAt | u8 hasCheckpoint |
    /// u32 walFile | u64 walOffset | u32 seriesCount | per series: u16 sensorLength, sensor,
    /// u32 chunkCount, per chunk: u64 offset, u32 length, u32 sampleCount, i64 minTime,
    /// i64 maxTime` (all little-endian).
    public func encode() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64 + series.count * 64)
        SegmentFormat.appendLE(minTime, to: &out)
        SegmentFormat.appendLE(maxTime, to: &out)
        SegmentFormat.appendLE(sampleCount, to: &out)
        SegmentFormat.appendLE(createdAt, to: &out)
        out.append(checkpoint == nil ? 0 : 1)
        SegmentFormat.appendLE(checkpoint?.file ?? 0, to: &out)
        SegmentFormat.appendLE(checkpoint?.offset ?? 0, to: &out)
        SegmentFormat.appendLE(UInt32(series.count), to: &out)
        for s in series {
            let name = Array(s.sensor.utf8)
            SegmentFormat.appendLE(UInt16(name.count), to: &out)
            out.append(contentsOf: name)
            SegmentFormat.appendLE(UInt32(s.chunks.count), to: &out)
            for c in s.chunks {
                SegmentFormat.appendLE(c.offset, to: &out)
                SegmentFormat.appendLE(c.length, to: &out)
                SegmentFormat.appendLE(c.sampleCount, to: &out)
                SegmentFormat.appendLE(c.minTime, to: &out)
                SegmentFormat.appendLE(c.maxTime, to: &out)
            }
        }
        return out
    }

    /// Decodes an index whose CRC has been checked; nil when its lengths are inconsistent.
    public static func decode(_ p: UnsafeRawBufferPointer) -> SegmentIndex? {
        var i = 0
        func need(_ n: Int) -> Bool { i + n <= p.count }
        func le<T: FixedWidthInteger>(_: T.Type) -> T? {
            guard need(MemoryLayout<T>.size) else { return nil }
            defer { i += MemoryLayout<T>.size }
            return SegmentFormat.readLE(T.self, p, at: i)
        }
        guard let minTime = le(Int64.self), let maxTime = le(Int64.self), let sampleCount = le(UInt64.self),
              let createdAt = le(Int64.self), let has = le(UInt8.self), has <= 1,
              let walFile = le(UInt32.self), let walOffset = le(UInt64.self), let seriesCount = le(UInt32.self)
        else { return nil }
        guard Int(seriesCount) <= p.count / 6 else { return nil }
        var series: [SegmentSeries] = []
        series.reserveCapacity(Int(seriesCount))
        for _ in 0..<seriesCount {
            guard let nameLength = le(UInt16.self), need(Int(nameLength)) else { return nil }
            let sensor = String(decoding: UnsafeRawBufferPointer(rebasing: p[i..<(i + Int(nameLength))]), as: UTF8.self)
            i += Int(nameLength)
            guard let chunkCount = le(UInt32.self), Int(chunkCount) <= (p.count - i) / 32 else { return nil }
            var chunks: [SegmentChunkRef] = []
            chunks.reserveCapacity(Int(chunkCount))
            for _ in 0..<chunkCount {
                guard let o = le(UInt64.self), let l = le(UInt32.self), let n = le(UInt32.self),
                      let lo = le(Int64.self), let hi = le(Int64.self) else { return nil }
                chunks.append(SegmentChunkRef(offset: o, length: l, sampleCount: n, minTime: lo, maxTime: hi))
            }
            series.append(SegmentSeries(sensor: sensor, chunks: chunks))
        }
        guard i == p.count else { return nil }
        return SegmentIndex(
            minTime: minTime, maxTime: maxTime, sampleCount: sampleCount, createdAt: createdAt,
            checkpoint: has == 1 ? WALPosition(file: walFile, offset: walOffset) : nil, series: series)
    }
}

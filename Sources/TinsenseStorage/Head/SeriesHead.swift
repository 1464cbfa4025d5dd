import TinsenseEncoding

/// The unsealed samples of one series, held compactly so that 10,000 series fit in a few
/// tens of megabytes.
///
/// The newest few samples stay raw in `tail` (sorted), where a slightly late reading is a
/// cheap insertion; older ones are packed as interleaved varints (~6 bytes per sample instead
/// of 32): `attr = meta << 5 | scale`, then zigzag delta-of-delta of the source time, zigzag
/// delta of `receive - source`, zigzag delta of the mantissa. A reading older than the packed
/// part (rare: within tolerance but beyond the tail) unpacks and repacks the series.
struct SeriesHead {
    static let tailLimit = 16
    static let packBatch = 8
    /// Distinct unit/quality/flags combinations one head can index (11 bits of `attr`).
    static let metaLimit = 1 << 11

    private(set) var metas: [SampleMeta] = []
    private var packed: [UInt8] = []
    private(set) var packedCount = 0
    private var packedFirstSource: Int64 = 0
    private var packedLastSource: Int64 = 0
    private var packedLastDelta: Int64 = 0
    private var packedLastOffset: Int64 = 0
    private var packedLastMantissa: Int64 = 0
    private var tail: [HeadSample] = []

    var count: Int { packedCount + tail.count }
    var isEmpty: Bool { count == 0 }

    var oldest: Int64? {
        if packedCount > 0 { return packedFirstSource }
        return tail.first?.source
    }

    var newest: Int64? {
        if let t = tail.last { return t.source }
        return packedCount > 0 ? packedLastSource : nil
    }

    /// Approximate bytes held (for memory accounting in logs and benchmarks).
    var approximateBytes: Int { packed.capacity + tail.capacity * MemoryLayout<HeadSample>.stride + metas.count * 48 }

    mutating func metaIndex(_ m: SampleMeta) -> UInt16? {
        if let last = metas.indices.last, metas[last] == m { return UInt16(last) }
        if let i = metas.firstIndex(of: m) { return UInt16(i) }
        guard metas.count < SeriesHead.metaLimit else { return nil }
        metas.append(m)
        return UInt16(metas.count - 1)
    }

    /// Inserts in source-time order; false when that source time is already present.
    mutating func insert(_ s: HeadSample) -> Bool {
        // The tail never holds more than `tailLimit + 1` samples: when it would double from
        // 16 to 32 (1 KB per series, kept until sealed), room for exactly one more instead.
        if tail.count == SeriesHead.tailLimit, tail.capacity == tail.count { tail.reserveCapacity(SeriesHead.tailLimit + 1) }
        if packedCount > 0, s.source <= packedLastSource {
            return insertIntoPacked(s)
        }
        if let last = tail.last, s.source <= last.source {
            var lo = 0
            var hi = tail.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if tail[mid].source < s.source { lo = mid + 1 } else { hi = mid }
            }
            if lo < tail.count, tail[lo].source == s.source { return false }
            tail.insert(s, at: lo)
        } else {
            tail.append(s)
        }
        if tail.count > SeriesHead.tailLimit {
            for i in 0..<SeriesHead.packBatch { pack(tail[i]) }
            tail.removeFirst(SeriesHead.packBatch)
        }
        return true
    }

    func contains(source: Int64) -> Bool {
        if let first = tail.first, source >= first.source {
            return tail.contains { $0.source == source }
        }
        guard packedCount > 0, source >= packedFirstSource, source <= packedLastSource else { return false }
        return unpacked().contains { $0.source == source }
    }

    private mutating func pack(_ s: HeadSample) {
        if packedCount == 0 {
            packedFirstSource = s.source
            packedLastSource = 0
            packedLastDelta = 0
            packedLastOffset = 0
            packedLastMantissa = 0
        }
        let delta = s.source &- packedLastSource
        let dod = packedCount == 0 ? s.source : delta &- packedLastDelta
        let offset = s.receive &- s.source
        SeriesHead.appendVarint(UInt64(s.meta) << 5 | UInt64(s.scale), to: &packed)
        SeriesHead.appendVarint(ZigZag.encode(dod), to: &packed)
        SeriesHead.appendVarint(ZigZag.encode(offset &- packedLastOffset), to: &packed)
        SeriesHead.appendVarint(ZigZag.encode(s.mantissa &- packedLastMantissa), to: &packed)
        if packedCount > 0 { packedLastDelta = delta }
        packedLastSource = s.source
        packedLastOffset = offset
        packedLastMantissa = s.mantissa
        packedCount += 1
    }

    private mutating func insertIntoPacked(_ s: HeadSample) -> Bool {
        var all = unpacked()
        var lo = 0
        var hi = all.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if all[mid].source < s.source { lo = mid + 1 } else { hi = mid }
        }
        if lo < all.count, all[lo].source == s.source { return false }
        all.insert(s, at: lo)
        packed = []
        packedCount = 0
        for x in all { pack(x) }
        return true
    }

    /// The packed samples, decoded.
    private func unpacked() -> [HeadSample] {
        var out: [HeadSample] = []
        out.reserveCapacity(packedCount)
        var i = 0
        var source: Int64 = 0
        var delta: Int64 = 0
        var offset: Int64 = 0
        var mantissa: Int64 = 0
        // The varint reader takes the position `inout` rather than capturing it: a nested
        // function capturing `i` made every read a boxed variable behind a dynamic exclusivity
        // check (≈ 560 instructions a reading at seal time under callgrind).
        packed.withUnsafeBufferPointer { p in
            for k in 0..<packedCount {
                let attr = SeriesHead.readVarint(p, &i)
                let dod = ZigZag.decode(SeriesHead.readVarint(p, &i))
                if k == 0 {
                    source = dod
                } else {
                    delta = delta &+ dod
                    source = source &+ delta
                }
                offset = offset &+ ZigZag.decode(SeriesHead.readVarint(p, &i))
                mantissa = mantissa &+ ZigZag.decode(SeriesHead.readVarint(p, &i))
                out.append(HeadSample(source: source, receive: source &+ offset, mantissa: mantissa,
                                      scale: UInt8(attr & 31), meta: UInt16(attr >> 5)))
            }
        }
        return out
    }

    /// All samples in source-time order, as columns for the chunk encoder.
    func columns() -> ChunkColumns {
        let all = unpacked() + tail
        var c = ChunkColumns()
        c.reserveCapacity(all.count)
        for s in all {
            c.sourceTimes.append(s.source)
            c.receiveTimes.append(s.receive)
            c.mantissas.append(s.mantissa)
            c.scales.append(s.scale)
            c.metaIndexes.append(UInt32(s.meta))
        }
        c.metas = metas
        c.compactMetas()
        return c
    }

    /// Empties the head, releasing its memory.
    mutating func removeAll() {
        self = SeriesHead()
    }

    @inline(__always)
    static func readVarint(_ p: UnsafeBufferPointer<UInt8>, _ i: inout Int) -> UInt64 {
        var r: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = p[i]
            i += 1
            r |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return r }
            shift += 7
        }
    }

    @inline(__always)
    static func appendVarint(_ value: UInt64, to out: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        out.append(UInt8(truncatingIfNeeded: v))
    }
}

/// The rarely changing attributes of a sample: quality, flags and unit. A chunk stores each
/// distinct combination once and refers to it by index in runs.
public struct SampleMeta: Hashable, Sendable {
    /// `Quality.rawValue`.
    public var quality: UInt8
    /// `ReadingFlags.rawValue`.
    public var flags: UInt8
    public var unit: String?

    public init(quality: UInt8, flags: UInt8, unit: String?) {
        self.quality = quality
        self.flags = flags
        self.unit = unit
    }
}

/// One series' samples in columns, the shape the codecs work on (struct of arrays keeps
/// the encode/decode loops tight and lets each column pick its own transform).
///
/// Times are epoch milliseconds; a value is `mantissa / 10^scale` exactly as received.
public struct ChunkColumns: Sendable, Equatable {
    public var sourceTimes: [Int64]
    public var receiveTimes: [Int64]
    public var mantissas: [Int64]
    public var scales: [UInt8]
    /// Index into `metas` for every sample.
    public var metaIndexes: [UInt32]
    public var metas: [SampleMeta]

    public init() {
        sourceTimes = []
        receiveTimes = []
        mantissas = []
        scales = []
        metaIndexes = []
        metas = []
    }

    public init(sourceTimes: [Int64], receiveTimes: [Int64], mantissas: [Int64], scales: [UInt8], metaIndexes: [UInt32], metas: [SampleMeta]) {
        precondition(sourceTimes.count == receiveTimes.count && sourceTimes.count == mantissas.count
            && sourceTimes.count == scales.count && sourceTimes.count == metaIndexes.count)
        self.sourceTimes = sourceTimes
        self.receiveTimes = receiveTimes
        self.mantissas = mantissas
        self.scales = scales
        self.metaIndexes = metaIndexes
        self.metas = metas
    }

    public var count: Int { sourceTimes.count }
    public var isEmpty: Bool { sourceTimes.isEmpty }

    public mutating func reserveCapacity(_ n: Int) {
        sourceTimes.reserveCapacity(n)
        receiveTimes.reserveCapacity(n)
        mantissas.reserveCapacity(n)
        scales.reserveCapacity(n)
        metaIndexes.reserveCapacity(n)
    }

    /// Index of `meta` in `metas`, adding it if new (linear: a series has a handful).
    public mutating func metaIndex(for meta: SampleMeta) -> UInt32 {
        if let last = metas.indices.last, metas[last] == meta { return UInt32(last) }
        if let i = metas.firstIndex(of: meta) { return UInt32(i) }
        metas.append(meta)
        return UInt32(metas.count - 1)
    }

    public mutating func append(sourceTime: Int64, receiveTime: Int64, mantissa: Int64, scale: UInt8, meta: SampleMeta) {
        let m = metaIndex(for: meta)
        sourceTimes.append(sourceTime)
        receiveTimes.append(receiveTime)
        mantissas.append(mantissa)
        scales.append(scale)
        metaIndexes.append(m)
    }

    /// Keeps the samples in `range` (used to split a long series into chunks).
    public func slice(_ range: Range<Int>) -> ChunkColumns {
        var c = ChunkColumns(
            sourceTimes: Array(sourceTimes[range]), receiveTimes: Array(receiveTimes[range]),
            mantissas: Array(mantissas[range]), scales: Array(scales[range]),
            metaIndexes: Array(metaIndexes[range]), metas: metas)
        c.compactMetas()
        return c
    }

    /// Drops metas no sample refers to and renumbers the rest.
    public mutating func compactMetas() {
        var used = [Int](repeating: -1, count: metas.count)
        var kept: [SampleMeta] = []
        for i in metaIndexes.indices {
            let m = Int(metaIndexes[i])
            if used[m] < 0 { used[m] = kept.count; kept.append(metas[m]) }
            metaIndexes[i] = UInt32(used[m])
        }
        metas = kept
    }
}

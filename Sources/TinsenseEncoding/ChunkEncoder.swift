/// Encodes one series' samples into a chunk: column transforms (delta-of-delta times,
/// decimal mantissa deltas, run-length scales and metadata), then zstd where it pays.
///
/// Lossless with respect to the received text: a value is its mantissa and scale, so `12.50`
/// comes back as `12.50`. Pure: no I/O, no clock.
public enum ChunkEncoder {
    /// Appends the encoded chunk (codec byte, body length, payload) to `sink`.
    public static func encode(_ c: ChunkColumns, level: Int32 = ChunkFormat.defaultLevel, into sink: inout ByteSink) {
        var body = ByteSink(capacity: c.count * 12 + 64)
        encodeBody(c, into: &body)
        body.withUnsafeBytes { raw in
            var packed = ByteSink(capacity: raw.count / 2 + 64)
            let size = Zstd.compress(raw, level: level, into: &packed)
            if size < raw.count {
                sink.append(ChunkFormat.Codec.zstd.rawValue)
                sink.appendVarint(UInt64(raw.count))
                packed.withUnsafeBytes { sink.append($0) }
            } else {
                // Incompressible (tiny chunks): zstd's frame header would only add bytes.
                sink.append(ChunkFormat.Codec.raw.rawValue)
                sink.appendVarint(UInt64(raw.count))
                sink.append(raw)
            }
        }
    }

    /// Convenience returning a fresh array.
    public static func encode(_ c: ChunkColumns, level: Int32 = ChunkFormat.defaultLevel) -> [UInt8] {
        var sink = ByteSink(capacity: c.count * 4 + 64)
        encode(c, level: level, into: &sink)
        return sink.bytes
    }

    static func varintSize(_ v: UInt64) -> Int {
        var n = 1
        var x = v
        while x >= 0x80 { x >>= 7; n += 1 }
        return n
    }

    /// The column transforms without the entropy stage.
    public static func encodeBody(_ c: ChunkColumns, into out: inout ByteSink) {
        let n = c.count
        out.appendVarint(UInt64(n))
        out.reserve(n * 10 + 16)
        c.sourceTimes.withUnsafeBufferPointer { encodeDeltaOfDelta($0, into: &out) }
        encodeReceiveTimes(c, into: &out)
        let scaleMode = encodeValues(c, into: &out)
        encodeScales(c, mode: scaleMode, into: &out)
        encodeMetas(c, into: &out)
    }

    static func encodeDeltaOfDelta(_ t: UnsafeBufferPointer<Int64>, into out: inout ByteSink) {
        out.reserve(t.count * 10 + 10)
        var prev: Int64 = 0
        var prevDelta: Int64 = 0
        for i in 0..<t.count {
            let d = t[i] &- prev
            out.appendVarintUnchecked(ZigZag.encode(i == 0 ? t[i] : d &- prevDelta))
            if i > 0 { prevDelta = d }
            prev = t[i]
        }
    }

    static func encodeReceiveTimes(_ c: ChunkColumns, into out: inout ByteSink) {
        if c.receiveTimes == c.sourceTimes {
            out.append(ChunkFormat.ReceiveMode.sameAsSource.rawValue)
            return
        }
        // Pick whichever transform leaves smaller numbers (fewer varint bytes).
        var offsetCost = 0
        var dodCost = 0
        var prevOffset: Int64 = 0
        var prev: Int64 = 0
        var prevDelta: Int64 = 0
        for i in 0..<c.count {
            let o = c.receiveTimes[i] &- c.sourceTimes[i]
            offsetCost += varintSize(ZigZag.encode(o &- prevOffset))
            prevOffset = o
            let r = c.receiveTimes[i]
            let d = r &- prev
            dodCost += varintSize(ZigZag.encode(i == 0 ? r : d &- prevDelta))
            if i > 0 { prevDelta = d }
            prev = r
        }
        if offsetCost <= dodCost {
            out.append(ChunkFormat.ReceiveMode.offsetDelta.rawValue)
            out.reserve(c.count * 10)
            var p: Int64 = 0
            for i in 0..<c.count {
                let o = c.receiveTimes[i] &- c.sourceTimes[i]
                out.appendVarintUnchecked(ZigZag.encode(o &- p))
                p = o
            }
        } else {
            out.append(ChunkFormat.ReceiveMode.deltaOfDelta.rawValue)
            c.receiveTimes.withUnsafeBufferPointer { encodeDeltaOfDelta($0, into: &out) }
        }
    }

    /// Writes the value column; returns the scale mode its choice allows.
    static func encodeValues(_ c: ChunkColumns, into out: inout ByteSink) -> ChunkFormat.ScaleMode {
        let n = c.count
        var maxScale: UInt8 = 0
        for s in c.scales where s > maxScale { maxScale = s }
        // Rescale to the largest scale so that deltas compare like with like; fall back to
        // raw mantissas if that would overflow (values near Int64's limits).
        var fits = true
        c.mantissas.withUnsafeBufferPointer { m in
            c.scales.withUnsafeBufferPointer { s in
                for i in 0..<n where s[i] != maxScale {
                    let shift = Int(maxScale - s[i])
                    guard shift <= 18 else { fits = false; return }
                    let (_, overflow) = m[i].multipliedReportingOverflow(by: powersOfTen[shift])
                    if overflow { fits = false; return }
                }
            }
        }
        out.reserve(n * 10 + 2)
        if fits {
            out.append(ChunkFormat.ValueMode.normalizedDelta.rawValue)
            out.append(maxScale)
            c.mantissas.withUnsafeBufferPointer { m in
                c.scales.withUnsafeBufferPointer { s in
                    var prev: Int64 = 0
                    for i in 0..<n {
                        let v = m[i] &* powersOfTen[Int(maxScale - s[i])]
                        out.appendVarintUnchecked(ZigZag.encode(v &- prev))
                        prev = v
                    }
                }
            }
            return .residual
        } else {
            out.append(ChunkFormat.ValueMode.rawDelta.rawValue)
            c.mantissas.withUnsafeBufferPointer { m in
                var prev: Int64 = 0
                for i in 0..<n {
                    out.appendVarintUnchecked(ZigZag.encode(m[i] &- prev))
                    prev = m[i]
                }
            }
            return .raw
        }
    }

    static func encodeScales(_ c: ChunkColumns, mode allowed: ChunkFormat.ScaleMode, into out: inout ByteSink) {
        let n = c.count
        var rawRuns = 1
        for i in 1..<max(n, 1) where c.scales[i] != c.scales[i - 1] { rawRuns += 1 }
        var residuals: [Int64] = []
        var mode = ChunkFormat.ScaleMode.raw
        if allowed == .residual, rawRuns > 1 {
            var maxScale: UInt8 = 0
            for s in c.scales where s > maxScale { maxScale = s }
            let limit = Int(maxScale)
            residuals = [Int64](repeating: 0, count: n)
            var residualRuns = 1
            for i in 0..<n {
                let normalized = c.mantissas[i] &* powersOfTen[Int(maxScale - c.scales[i])]
                let predicted = limit - trailingDecimalZeros(normalized, limit: limit)
                residuals[i] = Int64(c.scales[i]) - Int64(predicted)
                if i > 0, residuals[i] != residuals[i - 1] { residualRuns += 1 }
            }
            if residualRuns < rawRuns { mode = .residual }
        }
        out.append(mode.rawValue)
        let values: [Int64] = mode == .residual ? residuals : c.scales.map { Int64($0) }
        writeRuns(values, into: &out)
    }

    /// Run-length pairs: count of runs, then (length, zigzag value) per run.
    static func writeRuns(_ values: [Int64], into out: inout ByteSink) {
        var runs: [(Int, Int64)] = []
        for v in values {
            if let last = runs.last, last.1 == v { runs[runs.count - 1].0 += 1 } else { runs.append((1, v)) }
        }
        out.appendVarint(UInt64(runs.count))
        for (length, v) in runs {
            out.appendVarint(UInt64(length))
            out.appendSigned(v)
        }
    }

    static func encodeMetas(_ c: ChunkColumns, into out: inout ByteSink) {
        out.appendVarint(UInt64(c.metas.count))
        for m in c.metas {
            out.append(m.quality)
            out.append(m.flags)
            if var unit = m.unit {
                unit.withUTF8 { u in
                    out.appendVarint(UInt64(u.count) + 1)
                    out.append(UnsafeRawBufferPointer(u))
                }
            } else {
                out.appendVarint(0)
            }
        }
        writeRuns(c.metaIndexes.map { Int64($0) }, into: &out)
    }
}

/// Encodes one series' samples into a chunk: a time part (entropy-coded intervals or
/// delta-of-delta) and a value part (run-length scales and metadata; decimal mantissas as
/// rANS-coded predictor residuals or dictionary indexes, varint deltas for short chunks),
/// zstd only for large structure sections (docs/FORMAT.md, "Chunk").
///
/// Lossless with respect to the received text: a value is its mantissa and scale, so `12.50`
/// comes back as `12.50`. Pure: no I/O, no clock.
///
/// Layout: `section(times) section(structure) section(values)`, each section
/// `u8 codec | varint rawLength | [varint storedLength if zstd] | payload`.
public enum ChunkEncoder {
    /// Appends the encoded chunk (times, then values) to `sink`.
    public static func encode(_ c: ChunkColumns, level: Int32 = ChunkFormat.defaultLevel, into sink: inout ByteSink) {
        encodeTimes(sourceTimes: c.sourceTimes, receiveTimes: c.receiveTimes, level: level, into: &sink)
        encodeValues(c, level: level, into: &sink)
    }

    /// The time part of a chunk: one section holding the sample count, the source times and
    /// the receive times. Series that share their times (one payload, many values) can store
    /// this part once (docs/FORMAT.md, "Segment").
    public static func encodeTimes(sourceTimes: [Int64], receiveTimes: [Int64], level: Int32 = ChunkFormat.defaultLevel, into sink: inout ByteSink) {
        precondition(sourceTimes.count == receiveTimes.count)
        let n = sourceTimes.count
        var structure = ByteSink(capacity: 64)
        structure.appendVarint(UInt64(n))
        var dod = ByteSink(capacity: n * 2 + 16)
        sourceTimes.withUnsafeBufferPointer { encodeDeltaOfDelta($0, into: &dod) }
        // Long chunks: the intervals entropy-coded (a regular cadence costs a few bytes, a
        // jittery one its entropy) when that beats delta-of-delta varints.
        var coded = ByteSink(capacity: 0)
        var intervalsCoded = false
        if n >= ChunkFormat.bucketMinimumSamples {
            var deltas = [Int64](repeating: 0, count: n - 1)
            for i in 1..<n { deltas[i - 1] = sourceTimes[i] &- sourceTimes[i - 1] }
            intervalsCoded = deltas.withUnsafeBufferPointer { ValueCoder.encodeIntegers($0, budget: dod.count, into: &coded) }
        }
        if intervalsCoded {
            structure.append(ChunkFormat.TimeMode.codedIntervals.rawValue)
            structure.appendSigned(sourceTimes[0])
            coded.withUnsafeBytes { structure.append($0) }
        } else {
            structure.append(ChunkFormat.TimeMode.deltaOfDelta.rawValue)
            dod.withUnsafeBytes { structure.append($0) }
        }
        encodeReceiveTimes(sourceTimes: sourceTimes, receiveTimes: receiveTimes, into: &structure)
        writeSection(structure, level: level, into: &sink)
    }

    /// The value part of a chunk (everything but times): scales and metadata, then values.
    /// Decoding it needs the sample count, which the time part carries.
    public static func encodeValues(_ c: ChunkColumns, level: Int32 = ChunkFormat.defaultLevel, into sink: inout ByteSink) {
        let n = c.count
        var structure = ByteSink(capacity: 64)

        // Rescale to the largest scale so that residuals compare like with like; fall back
        // to the mantissas as received if that would overflow (values near Int64's limits).
        var maxScale: UInt8 = 0
        for s in c.scales where s > maxScale { maxScale = s }
        var values = c.mantissas
        let normalized = normalize(&values, scales: c.scales, to: maxScale)
        var scaleColumn = ByteSink(capacity: 16)
        encodeScales(c, normalized: normalized, into: &scaleColumn)

        // Plain varint deltas are the fallback (and all that short chunks get: a model
        // table does not pay below `bucketMinimumSamples`); their size is the budget.
        var deltaBytes = 2
        values.withUnsafeBufferPointer { v in
            var prev: Int64 = 0
            for x in v {
                deltaBytes &+= varintSize(ZigZag.encode(x &- prev))
                prev = x
            }
        }
        var coded = ByteSink(capacity: 0)
        var outcome = ValueCoder.Outcome.none
        if n >= ChunkFormat.bucketMinimumSamples {
            let scaleBytes = scaleColumn.count
            outcome = values.withUnsafeBufferPointer { v in
                c.scales.withUnsafeBufferPointer { s in
                    ValueCoder.encode(v, scales: s, normalized: normalized, maxScale: maxScale,
                                      deltaBytes: deltaBytes, scaleBytes: scaleBytes, into: &coded)
                }
            }
        }
        if outcome == .scalesInValues {
            structure.append(ChunkFormat.ScaleMode.inValues.rawValue)
        } else {
            scaleColumn.withUnsafeBytes { structure.append($0) }
        }
        encodeMetas(c, into: &structure)
        writeSection(structure, level: level, into: &sink)
        if outcome == .none {
            var deltaSection = ByteSink(capacity: n * 10 + 16)
            deltaSection.append((normalized ? ChunkFormat.ValueMode.normalizedDelta : .rawDelta).rawValue)
            if normalized { deltaSection.append(maxScale) }
            values.withUnsafeBufferPointer { v in
                var prev: Int64 = 0
                for x in v {
                    deltaSection.appendVarintUnchecked(ZigZag.encode(x &- prev))
                    prev = x
                }
            }
            writeSection(deltaSection, level: level, into: &sink)
        } else {
            // Entropy-coded already: never offered to zstd.
            writeSection(coded, level: level, zstdMinimumBytes: .max, into: &sink)
        }
    }

    /// Convenience returning a fresh array.
    public static func encode(_ c: ChunkColumns, level: Int32 = ChunkFormat.defaultLevel) -> [UInt8] {
        var sink = ByteSink(capacity: c.count * 2 + 64)
        encode(c, level: level, into: &sink)
        return sink.bytes
    }

    /// Rescales mantissas to `maxScale` in place; false (values untouched) on overflow.
    static func normalize(_ values: inout [Int64], scales: [UInt8], to maxScale: UInt8) -> Bool {
        let original = values
        var fits = true
        values.withUnsafeMutableBufferPointer { v in
            scales.withUnsafeBufferPointer { s in
                powersOfTen.withUnsafeBufferPointer { p in
                    for i in 0..<v.count where s[i] != maxScale {
                        let shift = Int(maxScale - s[i])
                        guard shift <= 18 else { fits = false; return }
                        let (product, overflow) = v[i].multipliedReportingOverflow(by: p[shift])
                        if overflow { fits = false; return }
                        v[i] = product
                    }
                }
            }
        }
        if !fits { values = original }
        return fits
    }

    /// Writes `section` as a section (docs/FORMAT.md, "Chunk"): zstd when that is smaller,
    /// else raw. Sections under `zstdMinimumBytes` stay raw: creating a zstd context costs
    /// more time than the few bytes it could save (values are entropy-coded already).
    public static func writeSection(_ section: borrowing ByteSink, level: Int32, zstdMinimumBytes: Int = ChunkFormat.zstdMinimumBytes,
                                    into out: inout ByteSink) {
        section.withUnsafeBytes { raw in
            var packed = ByteSink(capacity: raw.count / 2 + 64)
            let size = raw.count >= zstdMinimumBytes ? Zstd.compress(raw, level: level, into: &packed) : Int.max
            if size < raw.count {
                out.append(ChunkFormat.Codec.zstd.rawValue)
                out.appendVarint(UInt64(raw.count))
                out.appendVarint(UInt64(size))
                packed.withUnsafeBytes { out.append($0) }
            } else {
                out.append(ChunkFormat.Codec.raw.rawValue)
                out.appendVarint(UInt64(raw.count))
                out.append(raw)
            }
        }
    }

    @inline(__always)
    static func varintSize(_ v: UInt64) -> Int {
        (70 - (v | 1).leadingZeroBitCount) / 7
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

    static func encodeReceiveTimes(sourceTimes: [Int64], receiveTimes: [Int64], into out: inout ByteSink) {
        let n = sourceTimes.count
        if receiveTimes == sourceTimes {
            out.append(ChunkFormat.ReceiveMode.sameAsSource.rawValue)
            return
        }
        // Pick whichever transform leaves smaller numbers (fewer varint bytes).
        var offsetCost = 0
        var dodCost = 0
        var prevOffset: Int64 = 0
        var prev: Int64 = 0
        var prevDelta: Int64 = 0
        for i in 0..<n {
            let o = receiveTimes[i] &- sourceTimes[i]
            offsetCost += varintSize(ZigZag.encode(o &- prevOffset))
            prevOffset = o
            let r = receiveTimes[i]
            let d = r &- prev
            dodCost += varintSize(ZigZag.encode(i == 0 ? r : d &- prevDelta))
            if i > 0 { prevDelta = d }
            prev = r
        }
        if n >= ChunkFormat.bucketMinimumSamples {
            var offsets = [Int64](repeating: 0, count: n)
            for i in 0..<n { offsets[i] = receiveTimes[i] &- sourceTimes[i] }
            var coded = ByteSink(capacity: 0)
            if offsets.withUnsafeBufferPointer({ ValueCoder.encodeIntegers($0, budget: min(offsetCost, dodCost), into: &coded) }) {
                out.append(ChunkFormat.ReceiveMode.codedOffsets.rawValue)
                coded.withUnsafeBytes { out.append($0) }
                return
            }
        }
        if offsetCost <= dodCost {
            out.append(ChunkFormat.ReceiveMode.offsetDelta.rawValue)
            out.reserve(n * 10)
            var p: Int64 = 0
            for i in 0..<n {
                let o = receiveTimes[i] &- sourceTimes[i]
                out.appendVarintUnchecked(ZigZag.encode(o &- p))
                p = o
            }
        } else {
            out.append(ChunkFormat.ReceiveMode.deltaOfDelta.rawValue)
            receiveTimes.withUnsafeBufferPointer { encodeDeltaOfDelta($0, into: &out) }
        }
    }

    /// Scales as runs, either of the scale itself or of its residual against the scale the
    /// normalized mantissa implies (whichever has fewer runs).
    static func encodeScales(_ c: ChunkColumns, normalized: Bool, into out: inout ByteSink) {
        let n = c.count
        c.scales.withUnsafeBufferPointer { s in
            var rawRuns = n == 0 ? 0 : 1
            for i in 1..<max(n, 1) where s[i] != s[i - 1] { rawRuns &+= 1 }
            guard normalized, rawRuns > 1 else {
                out.append(ChunkFormat.ScaleMode.raw.rawValue)
                writeRuns(count: n, runs: rawRuns, { Int64(s[$0]) }, into: &out)
                return
            }
            // The residual against `S − trailing zeros of the normalized mantissa` equals the
            // trailing zeros of the mantissa as received, at most its scale: 0 for `%g` text.
            let residuals = UnsafeMutableBufferPointer<Int64>.allocate(capacity: n)
            defer { residuals.deallocate() }
            var residualRuns = 1
            c.mantissas.withUnsafeBufferPointer { m in
                for i in 0..<n {
                    residuals[i] = m[i] % 10 != 0 ? 0 : Int64(trailingDecimalZeros(m[i], limit: Int(s[i])))
                    if i > 0 && residuals[i] != residuals[i - 1] { residualRuns &+= 1 }
                }
            }
            if residualRuns < rawRuns {
                out.append(ChunkFormat.ScaleMode.residual.rawValue)
                writeRuns(count: n, runs: residualRuns, { residuals[$0] }, into: &out)
            } else {
                out.append(ChunkFormat.ScaleMode.raw.rawValue)
                writeRuns(count: n, runs: rawRuns, { Int64(s[$0]) }, into: &out)
            }
        }
    }

    /// Run-length pairs of `value(0..<count)`: number of runs, then (length, zigzag value)
    /// per run.
    @inline(__always)
    static func writeRuns(count: Int, runs: Int, _ value: (Int) -> Int64, into out: inout ByteSink) {
        out.appendVarint(UInt64(runs))
        guard count > 0 else { return }
        var start = 0
        var current = value(0)
        for i in 1...count {
            let next = i < count ? value(i) : current &+ 1
            if i == count || next != current {
                out.appendVarint(UInt64(i - start))
                out.appendSigned(current)
                start = i
                current = next
            }
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
        c.metaIndexes.withUnsafeBufferPointer { m in
            var runs = m.isEmpty ? 0 : 1
            for i in 1..<max(m.count, 1) where m[i] != m[i - 1] { runs &+= 1 }
            writeRuns(count: m.count, runs: runs, { Int64(m[$0]) }, into: &out)
        }
    }
}

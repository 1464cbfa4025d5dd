/// Decodes what `ChunkEncoder` wrote. Every read is bounds-checked and every count is
/// capped, so damaged input ends in a `ChunkDecodingError`, never a crash or a huge allocation.
public enum ChunkDecoder {
    /// Decodes one chunk (times, then values) that spans all of `bytes`.
    public static func decode(_ bytes: UnsafeRawBufferPointer) throws(ChunkDecodingError) -> ChunkColumns {
        var src = ByteSource(bytes)
        let times = try decodeTimes(&src)
        let c = try decodeValues(&src, sourceTimes: times.source, receiveTimes: times.receive)
        guard src.isAtEnd else { throw .malformed("\(src.remaining) bytes after the last section") }
        return c
    }

    /// Reads the time part written by `ChunkEncoder.encodeTimes`.
    public static func decodeTimes(_ src: inout ByteSource) throws(ChunkDecodingError) -> (source: [Int64], receive: [Int64]) {
        let structure = try Section(&src)
        defer { structure.release() }
        var s = ByteSource(structure.bytes)
        let n = try s.count(limit: ChunkFormat.maxSamples)
        // Entropy-coded intervals can take far less than a byte per sample, so the count is
        // bounded only by `maxSamples` (8 MiB per column at most).
        let timeModeByte = try s.byte()
        var sourceTimes: [Int64]
        switch ChunkFormat.TimeMode(rawValue: timeModeByte) {
        case .deltaOfDelta:
            sourceTimes = try decodeDeltaOfDelta(&s, count: n)
        case .codedIntervals:
            guard n > 0 else { throw .malformed("coded intervals of an empty chunk") }
            sourceTimes = [Int64](repeating: 0, count: n)
            let first = try s.signed()
            try sourceTimes.withUnsafeMutableBufferPointer { (t: inout UnsafeMutableBufferPointer<Int64>) throws(ChunkDecodingError) in
                try ValueCoder.decodeIntegers(&s, into: UnsafeMutableBufferPointer(rebasing: t[1...]))
                var time = first
                t[0] = first
                for i in 1..<n {
                    time = time &+ t[i]
                    t[i] = time
                }
            }
        case nil:
            throw .unsupported("time mode \(timeModeByte)")
        }

        let receiveModeByte = try s.byte()
        guard let receiveMode = ChunkFormat.ReceiveMode(rawValue: receiveModeByte) else {
            throw .unsupported("receive mode \(receiveModeByte)")
        }
        let receiveTimes: [Int64]
        switch receiveMode {
        case .sameAsSource:
            receiveTimes = sourceTimes
        case .offsetDelta:
            receiveTimes = try decodeReceiveOffsets(&s, sourceTimes: sourceTimes)
        case .deltaOfDelta:
            receiveTimes = try decodeDeltaOfDelta(&s, count: n)
        case .codedOffsets:
            var offsets = [Int64](repeating: 0, count: n)
            try offsets.withUnsafeMutableBufferPointer { (o: inout UnsafeMutableBufferPointer<Int64>) throws(ChunkDecodingError) in
                try ValueCoder.decodeIntegers(&s, into: o)
                for i in 0..<n { o[i] = sourceTimes[i] &+ o[i] }
            }
            receiveTimes = offsets
        }
        guard s.isAtEnd else { throw .malformed("\(s.remaining) bytes after the time columns") }
        return (sourceTimes, receiveTimes)
    }

    /// Reads the value part written by `ChunkEncoder.encodeValues` for samples at these times.
    public static func decodeValues(_ src: inout ByteSource, sourceTimes: [Int64], receiveTimes: [Int64]) throws(ChunkDecodingError) -> ChunkColumns {
        let n = sourceTimes.count
        let structure = try Section(&src)
        defer { structure.release() }
        var s = ByteSource(structure.bytes)
        let scaleModeByte = try s.byte()
        guard let scaleMode = ChunkFormat.ScaleMode(rawValue: scaleModeByte) else {
            throw .unsupported("scale mode \(scaleModeByte)")
        }
        let scaleRuns = scaleMode == .inValues ? [] : try decodeRuns(&s, total: n)
        let metaCount = try s.count(limit: n)
        var metas: [SampleMeta] = []
        metas.reserveCapacity(metaCount)
        for _ in 0..<metaCount {
            let quality = try s.byte()
            let flags = try s.byte()
            let unitLength = try s.count(limit: 1 << 16)
            var unit: String?
            if unitLength > 0 {
                unit = String(decoding: try s.bytes(unitLength - 1), as: UTF8.self)
            }
            metas.append(SampleMeta(quality: quality, flags: flags, unit: unit))
        }
        let metaRuns = try decodeRuns(&s, total: n)
        guard s.isAtEnd else { throw .malformed("\(s.remaining) bytes after the structure columns") }
        var metaIndexes = [UInt32](repeating: 0, count: n)
        var i = 0
        for (length, v) in metaRuns {
            guard v >= 0, v < Int64(metaCount) else { throw .malformed("meta index \(v) of \(metaCount)") }
            metaIndexes.withUnsafeMutableBufferPointer { p in
                for k in i..<(i + length) { p[k] = UInt32(v) }
            }
            i += length
        }

        // Values.
        let valueSection = try Section(&src)
        defer { valueSection.release() }
        var vs = ByteSource(valueSection.bytes)
        let modeByte = try vs.byte()
        guard let valueMode = ChunkFormat.ValueMode(rawValue: modeByte) else { throw .unsupported("value mode \(modeByte)") }
        var maxScale: UInt8 = 0
        var normalized: Bool
        switch valueMode {
        case .normalizedDelta: normalized = true
        case .rawDelta: normalized = false
        case .bucket, .dictionary:
            let flag = try vs.byte()
            guard flag <= 1 else { throw .malformed("normalization flag \(flag)") }
            normalized = flag == 1
        }
        if normalized {
            maxScale = try vs.byte()
            guard maxScale <= 30 else { throw .malformed("scale \(maxScale) above 30") }
        }
        guard scaleMode != .residual || normalized else { throw .malformed("residual scales need normalized values") }
        guard scaleMode != .inValues || valueMode == .dictionary || (valueMode == .bucket && normalized) else {
            throw .malformed("scales in values need dictionary or normalized bucket mode")
        }
        var values = [Int64](repeating: 0, count: n)
        var scales = [UInt8](repeating: 0, count: n)
        try values.withUnsafeMutableBufferPointer { (v: inout UnsafeMutableBufferPointer<Int64>) throws(ChunkDecodingError) in
            try scales.withUnsafeMutableBufferPointer { (sc: inout UnsafeMutableBufferPointer<UInt8>) throws(ChunkDecodingError) in
                switch valueMode {
                case .normalizedDelta, .rawDelta:
                    try decodeDeltas(&vs, into: v)
                    guard vs.isAtEnd else { throw .malformed("\(vs.remaining) bytes after the values") }
                case .bucket:
                    try ValueCoder.decodeBucket(&vs, maxScale: maxScale, scales: scaleMode == .inValues ? sc : nil, into: v)
                case .dictionary:
                    try ValueCoder.decodeDictionary(&vs, normalized: normalized, maxScale: maxScale,
                                                    scales: scaleMode == .inValues ? sc : nil, into: v)
                }
                // Scales from their runs (a residual is relative to the scale the normalized
                // mantissa's trailing zeros imply).
                var i = 0
                let limit = Int(maxScale)
                for (length, r) in scaleRuns {
                    for j in i..<(i + length) {
                        var scale = r
                        if scaleMode == .residual { scale += Int64(limit - trailingDecimalZeros(v[j], limit: limit)) }
                        guard scale >= 0, scale <= 30 else { throw .malformed("scale \(scale) out of range") }
                        sc[j] = UInt8(scale)
                    }
                    i += length
                }
                // Mantissas back from the normalized form.
                guard normalized else { return }
                for j in 0..<n where sc[j] != maxScale {
                    guard sc[j] < maxScale else { throw .malformed("scale \(sc[j]) above chunk scale \(maxScale)") }
                    let shift = limit - Int(sc[j])
                    guard shift <= 18 else { throw .malformed("scale shift \(shift)") }
                    guard let q = exactQuotient(v[j], powerOfTen: shift) else { throw .malformed("mantissa not divisible by 10^\(shift)") }
                    v[j] = q
                }
            }
        }
        let mantissas = values
        return ChunkColumns(sourceTimes: sourceTimes, receiveTimes: receiveTimes, mantissas: mantissas,
                            scales: scales, metaIndexes: metaIndexes, metas: metas)
    }

    public static func decode(_ bytes: [UInt8]) throws(ChunkDecodingError) -> ChunkColumns {
        do {
            return try bytes.withUnsafeBytes { p throws(ChunkDecodingError) in try decode(p) }
        } catch let e as ChunkDecodingError {
            throw e
        } catch {
            throw .malformed("\(error)")
        }
    }

    /// Reads one section written by `ChunkEncoder.writeSection` (content at most `limit`
    /// bytes) and passes its content, decompressed if needed, to `body`.
    public static func withSection<T>(_ src: inout ByteSource, limit: Int = ChunkFormat.maxSectionBytes,
                                      _ body: (UnsafeRawBufferPointer) throws(ChunkDecodingError) -> T) throws(ChunkDecodingError) -> T {
        let section = try Section(&src, limit: limit)
        defer { section.release() }
        return try body(section.bytes)
    }

    /// One section's bytes, decompressed if needed (owned buffer released by `release`).
    struct Section {
        let bytes: UnsafeRawBufferPointer
        private let owned: UnsafeMutableRawBufferPointer?

        init(_ src: inout ByteSource, limit: Int = ChunkFormat.maxSectionBytes) throws(ChunkDecodingError) {
            let codecByte = try src.byte()
            guard let codec = ChunkFormat.Codec(rawValue: codecByte) else { throw .unsupported("section codec \(codecByte)") }
            let rawLength = try src.count(limit: limit)
            switch codec {
            case .raw:
                bytes = try src.bytes(rawLength)
                owned = nil
            case .zstd:
                let storedLength = try src.count(limit: src.remaining)
                let payload = try src.bytes(storedLength)
                let out = UnsafeMutableRawBufferPointer.allocate(byteCount: max(rawLength, 1), alignment: 8)
                do {
                    try Zstd.decompress(payload, expectedSize: rawLength, into: out)
                } catch {
                    out.deallocate()
                    throw error
                }
                owned = out
                bytes = UnsafeRawBufferPointer(rebasing: out[..<rawLength])
            }
        }

        func release() { owned?.deallocate() }
    }

    /// Reads `count` zigzag varints in the inner loop without per-call overhead.
    @inline(__always)
    static func readVarints(_ src: inout ByteSource, count: Int, _ body: (Int, UInt64) -> Void) throws(ChunkDecodingError) {
        let buffer = src.buffer
        let end = buffer.count
        var pos = src.position
        guard let base = buffer.baseAddress?.assumingMemoryBound(to: UInt8.self) else {
            if count > 0 { throw .truncated }
            return
        }
        for i in 0..<count {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                guard pos < end else { throw .truncated }
                let b = base[pos]
                pos += 1
                result |= UInt64(b & 0x7F) << shift
                if b < 0x80 { break }
                shift += 7
                guard shift < 64 else { throw .malformed("varint longer than 10 bytes") }
            }
            body(i, result)
        }
        src.position = pos
    }

    static func decodeDeltaOfDelta(_ src: inout ByteSource, count n: Int) throws(ChunkDecodingError) -> [Int64] {
        var out = [Int64](repeating: 0, count: n)
        try out.withUnsafeMutableBufferPointer { (p: inout UnsafeMutableBufferPointer<Int64>) throws(ChunkDecodingError) in
            var prev: Int64 = 0
            var delta: Int64 = 0
            let q = p
            try readVarints(&src, count: n) { i, u in
                let v = ZigZag.decode(u)
                if i == 0 {
                    prev = v
                } else {
                    delta = delta &+ v
                    prev = prev &+ delta
                }
                q[i] = prev
            }
        }
        return out
    }

    static func decodeDeltas(_ src: inout ByteSource, into q: UnsafeMutableBufferPointer<Int64>) throws(ChunkDecodingError) {
        var prev: Int64 = 0
        try readVarints(&src, count: q.count) { i, u in
            prev = prev &+ ZigZag.decode(u)
            q[i] = prev
        }
    }

    static func decodeReceiveOffsets(_ src: inout ByteSource, sourceTimes: [Int64]) throws(ChunkDecodingError) -> [Int64] {
        var out = [Int64](repeating: 0, count: sourceTimes.count)
        try out.withUnsafeMutableBufferPointer { (p: inout UnsafeMutableBufferPointer<Int64>) throws(ChunkDecodingError) in
            var offset: Int64 = 0
            let q = p
            try sourceTimes.withUnsafeBufferPointer { s throws(ChunkDecodingError) in
                try readVarints(&src, count: s.count) { i, u in
                    offset = offset &+ ZigZag.decode(u)
                    q[i] = s[i] &+ offset
                }
            }
        }
        return out
    }

    /// Runs whose lengths must add up to exactly `total`.
    static func decodeRuns(_ src: inout ByteSource, total: Int) throws(ChunkDecodingError) -> [(Int, Int64)] {
        let count = try src.count(limit: total)
        var runs: [(Int, Int64)] = []
        runs.reserveCapacity(count)
        var sum = 0
        for _ in 0..<count {
            let length = try src.count(limit: total - sum)
            guard length > 0 else { throw .malformed("empty run") }
            sum += length
            runs.append((length, try src.signed()))
        }
        guard sum == total else { throw .malformed("runs cover \(sum) of \(total) samples") }
        return runs
    }
}

/// Which transforms a chunk's encoder chose (for `StorageBenchmark breakdown` and tests).
public struct ChunkLayout: Sendable, Equatable {
    public var timeMode: ChunkFormat.TimeMode
    public var receiveMode: ChunkFormat.ReceiveMode
    public var scaleMode: ChunkFormat.ScaleMode
    public var valueMode: ChunkFormat.ValueMode
    /// Bucket mode only.
    public var predictor: ChunkFormat.Predictor?
    /// Bucket mode with residuals on each sample's own scale.
    public var perSampleScales: Bool

    public var valueDescription: String {
        var text = "\(valueMode)"
        if let predictor { text += "/\(predictor)" }
        if perSampleScales { text += "/grid" }
        return text
    }
}

extension ChunkDecoder {
    /// The layout of one whole chunk (times, then values), read from its headers.
    public static func layout(_ bytes: UnsafeRawBufferPointer) throws(ChunkDecodingError) -> ChunkLayout {
        var src = ByteSource(bytes)
        let times = try Section(&src)
        defer { times.release() }
        var t = ByteSource(times.bytes)
        let n = try t.count(limit: ChunkFormat.maxSamples)
        guard let timeMode = ChunkFormat.TimeMode(rawValue: try t.byte()) else { throw .unsupported("time mode") }
        switch timeMode {
        case .deltaOfDelta:
            for _ in 0..<n { _ = try t.varint() }
        case .codedIntervals:
            _ = try t.signed()
            _ = try t.bytes(try t.count(limit: t.remaining))
        }
        guard let receiveMode = ChunkFormat.ReceiveMode(rawValue: try t.byte()) else { throw .unsupported("receive mode") }
        let structure = try Section(&src)
        defer { structure.release() }
        var s = ByteSource(structure.bytes)
        guard let scaleMode = ChunkFormat.ScaleMode(rawValue: try s.byte()) else { throw .unsupported("scale mode") }
        let values = try Section(&src)
        defer { values.release() }
        var v = ByteSource(values.bytes)
        guard let valueMode = ChunkFormat.ValueMode(rawValue: try v.byte()) else { throw .unsupported("value mode") }
        var layout = ChunkLayout(timeMode: timeMode, receiveMode: receiveMode, scaleMode: scaleMode, valueMode: valueMode,
                                 predictor: nil, perSampleScales: false)
        if valueMode == .bucket {
            if try v.byte() == 1 { _ = try v.byte() }
            layout.predictor = ChunkFormat.Predictor(rawValue: try v.byte())
            if layout.predictor == .reference { _ = try v.signed() }
            _ = try v.byte()
            layout.perSampleScales = try v.byte() == 1
        }
        return layout
    }

    public static func layout(_ bytes: [UInt8]) throws(ChunkDecodingError) -> ChunkLayout {
        do {
            return try bytes.withUnsafeBytes { p throws(ChunkDecodingError) in try layout(p) }
        } catch let e as ChunkDecodingError {
            throw e
        } catch {
            throw .malformed("\(error)")
        }
    }
}

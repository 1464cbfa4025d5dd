/// Decodes what `ChunkEncoder` wrote. Every read is bounds-checked and every count is
/// capped, so damaged input ends in a `DecodingError`, never a crash or a huge allocation.
public enum ChunkDecoder {
    /// Decodes one chunk (codec byte, body length, payload) that spans all of `bytes`.
    public static func decode(_ bytes: UnsafeRawBufferPointer) throws(DecodingError) -> ChunkColumns {
        var src = ByteSource(bytes)
        let codecByte = try src.byte()
        guard let codec = ChunkFormat.Codec(rawValue: codecByte) else { throw .unsupported("chunk codec \(codecByte)") }
        let bodyLength = try src.count(limit: ChunkFormat.maxBodyBytes)
        let payload = try src.bytes(src.remaining)
        switch codec {
        case .raw:
            guard payload.count == bodyLength else { throw .malformed("raw body length \(payload.count) != \(bodyLength)") }
            return try decodeBody(payload)
        case .zstd:
            let body = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bodyLength, 1), alignment: 8)
            defer { body.deallocate() }
            try Zstd.decompress(payload, expectedSize: bodyLength, into: body)
            return try decodeBody(UnsafeRawBufferPointer(rebasing: body[..<bodyLength]))
        }
    }

    public static func decode(_ bytes: [UInt8]) throws(DecodingError) -> ChunkColumns {
        do {
            return try bytes.withUnsafeBytes { p throws(DecodingError) in try decode(p) }
        } catch let e as DecodingError {
            throw e
        } catch {
            throw .malformed("\(error)")
        }
    }

    /// Decodes the column section (after the entropy stage is undone).
    public static func decodeBody(_ body: UnsafeRawBufferPointer) throws(DecodingError) -> ChunkColumns {
        var src = ByteSource(body)
        let n = try src.count(limit: ChunkFormat.maxSamples)
        // Every sample needs at least one byte per varint column; reject counts the body
        // cannot possibly hold before allocating for them.
        guard n <= body.count else { throw .malformed("sample count \(n) exceeds body size") }
        let sourceTimes = try decodeDeltaOfDelta(&src, count: n)

        let receiveModeByte = try src.byte()
        guard let receiveMode = ChunkFormat.ReceiveMode(rawValue: receiveModeByte) else {
            throw .unsupported("receive mode \(receiveModeByte)")
        }
        let receiveTimes: [Int64]
        switch receiveMode {
        case .sameAsSource:
            receiveTimes = sourceTimes
        case .offsetDelta:
            receiveTimes = try decodeReceiveOffsets(&src, sourceTimes: sourceTimes)
        case .deltaOfDelta:
            receiveTimes = try decodeDeltaOfDelta(&src, count: n)
        }

        let valueModeByte = try src.byte()
        guard let valueMode = ChunkFormat.ValueMode(rawValue: valueModeByte) else {
            throw .unsupported("value mode \(valueModeByte)")
        }
        var maxScale: UInt8 = 0
        if valueMode == .normalizedDelta {
            maxScale = try src.byte()
            guard maxScale <= 30 else { throw .malformed("scale \(maxScale) above 30") }
        }
        // Normalized mantissas for now; divided back by 10^(S - scale) once scales are known.
        let values = try decodeDeltas(&src, count: n)

        let scaleModeByte = try src.byte()
        guard let scaleMode = ChunkFormat.ScaleMode(rawValue: scaleModeByte) else {
            throw .unsupported("scale mode \(scaleModeByte)")
        }
        guard scaleMode == .raw || valueMode == .normalizedDelta else { throw .malformed("residual scales need normalized values") }
        let scaleRuns = try decodeRuns(&src, total: n)
        var scales = [UInt8](repeating: 0, count: n)
        var mantissas = values
        var i = 0
        for (length, v) in scaleRuns {
            for k in i..<(i + length) {
                var s = v
                if scaleMode == .residual {
                    let limit = Int(maxScale)
                    s += Int64(limit - trailingDecimalZeros(values[k], limit: limit))
                }
                guard s >= 0, s <= 30 else { throw .malformed("scale \(s) out of range") }
                if valueMode == .normalizedDelta {
                    guard UInt8(s) <= maxScale else { throw .malformed("scale \(s) above chunk scale \(maxScale)") }
                    let shift = Int(maxScale) - Int(s)
                    guard shift <= 18 else { throw .malformed("scale shift \(shift)") }
                    let p = powersOfTen[shift]
                    guard values[k] % p == 0 else { throw .malformed("mantissa not divisible by 10^\(shift)") }
                    mantissas[k] = values[k] / p
                }
                scales[k] = UInt8(s)
            }
            i += length
        }

        let metaCount = try src.count(limit: n)
        var metas: [SampleMeta] = []
        metas.reserveCapacity(metaCount)
        for _ in 0..<metaCount {
            let quality = try src.byte()
            let flags = try src.byte()
            let unitLength = try src.count(limit: 1 << 16)
            var unit: String?
            if unitLength > 0 {
                let u = try src.bytes(unitLength - 1)
                unit = String(decoding: u, as: UTF8.self)
            }
            metas.append(SampleMeta(quality: quality, flags: flags, unit: unit))
        }
        let metaRuns = try decodeRuns(&src, total: n)
        var metaIndexes = [UInt32](repeating: 0, count: n)
        i = 0
        for (length, v) in metaRuns {
            guard v >= 0, v < Int64(metaCount) else { throw .malformed("meta index \(v) of \(metaCount)") }
            metaIndexes.withUnsafeMutableBufferPointer { p in
                for k in i..<(i + length) { p[k] = UInt32(v) }
            }
            i += length
        }
        guard src.isAtEnd else { throw .malformed("\(src.remaining) bytes after the last column") }
        return ChunkColumns(sourceTimes: sourceTimes, receiveTimes: receiveTimes, mantissas: mantissas,
                            scales: scales, metaIndexes: metaIndexes, metas: metas)
    }

    /// Reads `count` zigzag varints in the inner loop without per-call overhead.
    @inline(__always)
    static func readVarints(_ src: inout ByteSource, count: Int, _ body: (Int, UInt64) -> Void) throws(DecodingError) {
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

    static func decodeDeltaOfDelta(_ src: inout ByteSource, count n: Int) throws(DecodingError) -> [Int64] {
        var out = [Int64](repeating: 0, count: n)
        try out.withUnsafeMutableBufferPointer { (p: inout UnsafeMutableBufferPointer<Int64>) throws(DecodingError) in
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

    static func decodeDeltas(_ src: inout ByteSource, count n: Int) throws(DecodingError) -> [Int64] {
        var out = [Int64](repeating: 0, count: n)
        try out.withUnsafeMutableBufferPointer { (p: inout UnsafeMutableBufferPointer<Int64>) throws(DecodingError) in
            var prev: Int64 = 0
            let q = p
            try readVarints(&src, count: n) { i, u in
                prev = prev &+ ZigZag.decode(u)
                q[i] = prev
            }
        }
        return out
    }

    static func decodeReceiveOffsets(_ src: inout ByteSource, sourceTimes: [Int64]) throws(DecodingError) -> [Int64] {
        var out = [Int64](repeating: 0, count: sourceTimes.count)
        try out.withUnsafeMutableBufferPointer { (p: inout UnsafeMutableBufferPointer<Int64>) throws(DecodingError) in
            var offset: Int64 = 0
            let q = p
            try sourceTimes.withUnsafeBufferPointer { s throws(DecodingError) in
                try readVarints(&src, count: s.count) { i, u in
                    offset = offset &+ ZigZag.decode(u)
                    q[i] = s[i] &+ offset
                }
            }
        }
        return out
    }

    /// Runs whose lengths must add up to exactly `total`.
    static func decodeRuns(_ src: inout ByteSource, total: Int) throws(DecodingError) -> [(Int, Int64)] {
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

/// LSB-first bit writer (the inverse of `BitReader`).
struct BitWriter {
    var acc: UInt64 = 0
    var used = 0

    @inline(__always)
    mutating func write(_ value: UInt64, count k: Int, into out: inout ByteSink) {
        acc |= value << UInt64(used)
        if used + k >= 64 {
            out.appendLE(acc)
            let consumed = 64 - used
            acc = consumed == 64 ? 0 : value >> UInt64(consumed)
            used = used + k - 64
        } else {
            used += k
        }
    }

    mutating func flush(into out: inout ByteSink) {
        while used > 0 {
            out.append(UInt8(truncatingIfNeeded: acc))
            acc >>= 8
            used = max(0, used - 8)
        }
    }
}

/// LSB-first bit reader over raw bytes, refilled a word at a time.
struct BitReader {
    let bytes: UnsafeRawBufferPointer
    var position = 0
    var acc: UInt64 = 0
    var available = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    @inline(__always)
    mutating func read(_ k: Int) throws(ChunkDecodingError) -> UInt64 {
        if k > 32 {
            let low = try read(32)
            return low | (try read(k - 32)) << 32
        }
        if available < k {
            if position + 8 <= bytes.count {
                let word = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: position, as: UInt64.self))
                let take = (64 - available) / 8
                acc |= word << UInt64(available)
                available += take * 8
                position += take
                if available < 64 { acc &= (1 << UInt64(available)) - 1 }
            } else {
                while available <= 56, position < bytes.count {
                    acc |= UInt64(bytes[position]) << UInt64(available)
                    position += 1
                    available += 8
                }
            }
            guard available >= k else { throw .truncated }
        }
        let v = acc & ((1 << UInt64(k)) - 1)
        acc = k == 64 ? 0 : acc >> UInt64(k)
        available -= k
        return v
    }
}

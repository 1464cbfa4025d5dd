#if canImport(Glibc)
import Glibc
#endif

/// Value residuals as a one-byte "bucket" symbol per sample plus raw low bits.
///
/// Noisy analog channels (white noise at 5–6 significant digits) leave residuals whose high
/// bits follow a skewed, unimodal distribution and whose low `k` bits are uniform. Putting
/// the high part in a byte column lets zstd's Huffman stage code it close to its entropy,
/// while the low bits go out raw (no coder can shrink them). On SKAB this takes the value
/// column from ~1.7 to ~1.45 bytes/sample where plain varint deltas + zstd cannot.
///
/// symbol = min(254, (|r| >> k) << 1 | sign); 255 is an escape followed (in the escape list)
/// by the full zigzag residual, for outliers.
enum BucketCoder {
    static let escape: UInt8 = 255

    /// Picks `k` minimising (entropy of the symbols + k) per sample, from a histogram.
    static func chooseShift(_ r: UnsafeBufferPointer<Int64>) -> Int {
        guard !r.isEmpty else { return 0 }
        var sum: UInt64 = 0
        for v in r { sum &+= v.magnitude }
        let mean = sum / UInt64(r.count)
        let guess = max(0, (64 - mean.leadingZeroBitCount) - 3)
        var best = guess
        var bestCost = Double.infinity
        for k in max(0, guess - 2)...min(62, guess + 2) {
            let c = cost(r, k)
            if c < bestCost { bestCost = c; best = k }
        }
        return best
    }

    /// Estimated bits for shift `k`: symbol entropy + k raw bits + escapes.
    static func cost(_ r: UnsafeBufferPointer<Int64>, _ k: Int) -> Double {
        var histogram = [Int](repeating: 0, count: 256)
        var escapeBits = 0
        histogram.withUnsafeMutableBufferPointer { h in
            for v in r {
                let s = symbol(v, k)
                h[Int(s)] += 1
                if s == escape { escapeBits += 8 * varintSize(ZigZag.encode(v)) }
            }
        }
        let n = Double(r.count)
        var bits = 0.0
        for c in histogram where c > 0 {
            let p = Double(c) / n
            bits -= Double(c) * log2(p)
        }
        return bits + n * Double(k) + Double(escapeBits)
    }

    @inline(__always)
    static func symbol(_ v: Int64, _ k: Int) -> UInt8 {
        let high = v.magnitude >> UInt64(k)
        guard high < 127 else { return escape }
        return UInt8(truncatingIfNeeded: high << 1) | (v < 0 ? 1 : 0)
    }

    static func varintSize(_ v: UInt64) -> Int {
        var n = 1
        var x = v
        while x >= 0x80 { x >>= 7; n += 1 }
        return n
    }

    /// Writes the symbol column then escapes into `symbols`, the low bits into `bits`.
    static func encode(_ r: UnsafeBufferPointer<Int64>, k: Int, symbols: inout ByteSink, bits: inout ByteSink) {
        symbols.reserve(r.count)
        var escapes: [Int64] = []
        let mask: UInt64 = k == 0 ? 0 : (UInt64.max >> UInt64(64 - k))
        var acc: UInt64 = 0
        var used = 0
        bits.reserve((r.count * k + 7) / 8 + 8)
        for v in r {
            let s = symbol(v, k)
            symbols.append(s)
            if s == escape {
                escapes.append(v)
                continue
            }
            if k > 0 {
                let low = v.magnitude & mask
                acc |= low << UInt64(used)
                used += k
                if used >= 64 {
                    bits.appendLE(acc)
                    used -= 64
                    acc = used == 0 ? 0 : low >> UInt64(k - used)
                }
            }
        }
        while used > 0 {
            bits.append(UInt8(truncatingIfNeeded: acc))
            acc >>= 8
            used = max(0, used - 8)
        }
        for v in escapes { symbols.appendSigned(v) }
    }

    /// Inverse of `encode`: fills `out` with the residuals.
    static func decode(symbols: UnsafeRawBufferPointer, bits: UnsafeRawBufferPointer, k: Int, into out: UnsafeMutableBufferPointer<Int64>) throws(DecodingError) {
        let n = out.count
        guard symbols.count >= n else { throw .truncated }
        var escapes = ByteSource(symbols, position: n)
        let mask: UInt64 = k == 0 ? 0 : (UInt64.max >> UInt64(64 - k))
        var reader = BitReader(bits)
        for i in 0..<n {
            let s = symbols[i]
            if s == escape {
                out[i] = try escapes.signed()
                continue
            }
            var magnitude = UInt64(s >> 1) << UInt64(k)
            if k > 0 { magnitude |= try reader.read(k) & mask }
            let v = Int64(bitPattern: magnitude)
            out[i] = s & 1 == 1 ? 0 &- v : v
        }
        guard escapes.isAtEnd else { throw .malformed("\(escapes.remaining) bytes after the escapes") }
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
    mutating func read(_ k: Int) throws(DecodingError) -> UInt64 {
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

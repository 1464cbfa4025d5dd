#if canImport(Glibc)
import Glibc
#endif

/// Static order-0 rANS (range asymmetric numeral systems, Duda 2013; byte-wise
/// renormalisation as in Giesen's public-domain `rans_byte.h`) over symbols `0..<m`, m ≤ 4096.
///
/// Written by hand because the value columns need an entropy coder that (a) costs almost
/// nothing per chunk — a 1,000-sample chunk cannot carry zstd's Huffman table and frame
/// header (~60 bytes, 0.05 bytes/sample) — and (b) decodes a symbol in a few nanoseconds.
/// No Debian library offers a bare static rANS/tANS with a caller-supplied table (zstd's FSE
/// is internal API). The coder is ~150 lines and fully specified in docs/FORMAT.md.
///
/// The model is sent as one 5-bit *log-frequency code* per symbol (0 = absent; code q stands
/// for weight ≈ 2^((q−1)/2)); both sides turn the codes into frequencies summing to 4096 with
/// the same integer arithmetic (`RANSModel.init(codes:)`). Quantising probabilities to steps
/// of √2 costs < 0.02 bits/symbol; the table costs 5 bits per symbol of the alphabet.
public struct RANSModel: Sendable {
    public static let precisionBits: UInt32 = 12
    public static let total: UInt32 = 1 << precisionBits
    /// Largest alphabet (every symbol needs a frequency ≥ 1 out of `total`).
    public static let maxSymbols = 4096
    /// Integer weight of each 5-bit code: round(16 · 2^((q−1)/2)); code 0 = absent.
    static let weights: [UInt64] = [
        0, 16, 23, 32, 45, 64, 91, 128, 181, 256, 362, 512, 724, 1024, 1448, 2048, 2896, 4096, 5793,
        8192, 11585, 16384, 23170, 32768, 46341, 65536, 92682, 131072, 185364, 262144, 370728, 524288,
    ]

    /// Frequency of each symbol (0 for absent symbols), summing to `total`.
    public private(set) var frequencies: [UInt32]
    /// Cumulative frequency before each symbol.
    public private(set) var starts: [UInt32]

    /// Codes (one per symbol, 0…31) that describe `counts` (counts of symbols 0..<m):
    /// q = 1 + round(2 · log2 c′) with c′ the count scaled so the largest is 32768, in
    /// integers (round(log2 y) for y = c′² is its bit length, plus one when y ≥ 2^(b+½)).
    public static func codes(forCounts counts: UnsafeBufferPointer<Int>) -> [UInt8] {
        var maxCount = 0
        for c in counts where c > maxCount { maxCount = c }
        var codes = [UInt8](repeating: 0, count: counts.count)
        guard maxCount > 0 else { return codes }
        for (i, c) in counts.enumerated() where c > 0 {
            let scaled = UInt64(max(1, (c * 32768 + maxCount / 2) / maxCount))
            let y = scaled * scaled
            let b = 63 - y.leadingZeroBitCount
            let roundsUp = b < 31 && y * y >= UInt64(1) << UInt64(2 * b + 1)
            codes[i] = UInt8(min(31, 1 + b + (roundsUp ? 1 : 0)))
        }
        return codes
    }

    /// log2 of 0…4096 (index 0 unused), for cost estimates without a libm call per symbol.
    static let log2Table: [Double] = (0...Int(total)).map { $0 == 0 ? 0 : log2(Double($0)) }

    /// Frequencies from codes: proportional to the weights, each present symbol ≥ 1, summing
    /// to exactly `total` (the surplus or deficit goes to/from the largest, first on ties).
    public init(codes: [UInt8]) throws(ChunkDecodingError) {
        guard !codes.isEmpty, codes.count <= Self.maxSymbols else { throw .malformed("rANS alphabet of \(codes.count) symbols") }
        var sum: UInt64 = 0
        for q in codes {
            guard q < 32 else { throw .malformed("rANS code \(q)") }
            sum += Self.weights[Int(q)]
        }
        guard sum > 0 else { throw .malformed("rANS model without symbols") }
        var f = [UInt32](repeating: 0, count: codes.count)
        var assigned: UInt32 = 0
        for (i, q) in codes.enumerated() where q > 0 {
            f[i] = UInt32(max(1, Self.weights[Int(q)] * UInt64(Self.total) / sum))
            assigned += f[i]
        }
        while assigned != Self.total {
            var top = 0
            for i in f.indices where f[i] > f[top] { top = i }
            if assigned < Self.total {
                f[top] += Self.total - assigned
                assigned = Self.total
            } else {
                let cut = min(f[top] - 1, assigned - Self.total)
                guard cut > 0 else { throw .malformed("rANS model cannot be normalised") }
                f[top] -= cut
                assigned -= cut
            }
        }
        frequencies = f
        starts = [UInt32](repeating: 0, count: f.count)
        var c: UInt32 = 0
        for i in f.indices {
            starts[i] = c
            c += f[i]
        }
    }

    /// Bits to code symbols with `counts` under this model (∞ if a counted symbol is absent).
    public func cost(counts: UnsafeBufferPointer<Int>) -> Double {
        Self.log2Table.withUnsafeBufferPointer { table in
            var bits = 0.0
            for (i, c) in counts.enumerated() where c > 0 {
                guard i < frequencies.count, frequencies[i] > 0 else { return .infinity }
                bits += Double(c) * (Double(Self.precisionBits) - table[Int(frequencies[i])])
            }
            return bits
        }
    }

    /// Writes `varint m` and the m codes packed 5 bits each, LSB first.
    public static func writeCodes(_ codes: [UInt8], into out: inout ByteSink) {
        out.appendVarint(UInt64(codes.count))
        var acc: UInt64 = 0
        var used: UInt64 = 0
        for q in codes {
            acc |= UInt64(q) << used
            used += 5
            if used >= 8 {
                out.append(UInt8(truncatingIfNeeded: acc))
                acc >>= 8
                used -= 8
            }
        }
        if used > 0 { out.append(UInt8(truncatingIfNeeded: acc)) }
    }

    /// Bytes `writeCodes` takes for an alphabet of `m` symbols.
    public static func codesSize(_ m: Int) -> Int {
        ChunkEncoder.varintSize(UInt64(m)) + (m * 5 + 7) / 8
    }

    public static func readCodes(_ src: inout ByteSource) throws(ChunkDecodingError) -> [UInt8] {
        let m = try src.count(limit: maxSymbols)
        guard m > 0 else { throw .malformed("empty rANS alphabet") }
        let packed = try src.bytes((m * 5 + 7) / 8)
        var codes = [UInt8](repeating: 0, count: m)
        var acc: UInt64 = 0
        var used: UInt64 = 0
        var p = 0
        for i in 0..<m {
            if used < 5 {
                acc |= UInt64(packed[p]) << used
                p += 1
                used += 8
            }
            codes[i] = UInt8(acc & 31)
            acc >>= 5
            used -= 5
        }
        return codes
    }
}

/// rANS encoder: symbols are pushed in reverse order and the bytes come out reversed, so
/// the decoder reads forward.
public enum RANSEncoder {
    static let lower: UInt32 = 1 << 23

    /// Per-symbol constants that replace the division by the frequency with a multiply and
    /// shift (Giesen's `RansEncSymbolInit`): q = ⌊x / freq⌋ = (x · rcp) >> 32 >> shift.
    struct Symbol {
        var xMax: UInt32
        var rcpFreq: UInt32
        var bias: UInt32
        var cmplFreq: UInt32
        var rcpShift: UInt32

        init(start: UInt32, freq: UInt32) {
            let bits = RANSModel.precisionBits
            xMax = ((lower >> bits) << 8) &* freq
            cmplFreq = (1 << bits) &- freq
            if freq < 2 {
                rcpFreq = ~0
                rcpShift = 0
                bias = start &+ (1 << bits) &- 1
            } else {
                var shift: UInt32 = 0
                while freq > (1 << shift) { shift += 1 }
                rcpFreq = UInt32(((UInt64(1) << (shift + 31)) + UInt64(freq) - 1) / UInt64(freq))
                rcpShift = shift - 1
                bias = start
            }
        }
    }

    /// Appends `u32le byteCount | bytes` coding `symbols` under `model`, with two
    /// interleaved states (even samples on state 0, odd on state 1) so that a decoder's two
    /// dependency chains overlap.
    public static func encode(_ symbols: UnsafeBufferPointer<UInt16>, model: RANSModel, into out: inout ByteSink) {
        // Worst case: every symbol at frequency 1 (12 bits), plus the two 4-byte final states.
        let capacity = symbols.count * 2 + 16
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        defer { buffer.deallocate() }
        var position = capacity
        var states = (lower, lower)
        var table = [Symbol]()
        table.reserveCapacity(model.frequencies.count)
        for s in model.frequencies.indices {
            table.append(Symbol(start: model.starts[s], freq: max(model.frequencies[s], 1)))
        }
        @inline(__always)
        func put(_ x: inout UInt32, _ e: Symbol) {
            while x >= e.xMax {
                position -= 1
                buffer[position] = UInt8(truncatingIfNeeded: x)
                x >>= 8
            }
            let q = UInt32(truncatingIfNeeded: (UInt64(x) &* UInt64(e.rcpFreq)) >> 32) >> e.rcpShift
            x = x &+ e.bias &+ q &* e.cmplFreq
        }
        table.withUnsafeBufferPointer { t in
            var i = symbols.count
            while i > 0 {
                i -= 1
                if i & 1 == 0 { put(&states.0, t[Int(symbols[i])]) } else { put(&states.1, t[Int(symbols[i])]) }
            }
        }
        // State 1 first, so that the decoder reads state 0 first (bytes come out reversed).
        for var x in [states.1, states.0] {
            for _ in 0..<4 {
                position -= 1
                buffer[position] = UInt8(truncatingIfNeeded: x)
                x >>= 8
            }
        }
        let count = capacity - position
        out.appendLE(UInt32(count))
        out.append(UnsafeRawBufferPointer(start: buffer + position, count: count))
    }
}

/// rANS decoder over one encoded stream; every byte read is bounds-checked and the final
/// states must be the encoder's initial ones with every byte consumed (`finish`).
public struct RANSDecoder {
    let bytes: UnsafeRawBufferPointer
    var position: Int
    /// The state of the next symbol, and the one after it.
    var x: UInt32
    var y: UInt32
    /// slot (0..<4096) → symbol; frequency and start by symbol (one allocation).
    let slots: UnsafeMutablePointer<UInt16>
    let table: UnsafeMutablePointer<UInt32>

    /// Reads `u32le byteCount | bytes` from `src` and prepares the slot table.
    public init(_ src: inout ByteSource, model: RANSModel) throws(ChunkDecodingError) {
        let count = Int(try src.le(UInt32.self))
        bytes = try src.bytes(count)
        guard count >= 8 else { throw .malformed("rANS stream of \(count) bytes") }
        let b = bytes
        func state(_ at: Int) -> UInt32 {
            UInt32(b[at]) << 24 | UInt32(b[at + 1]) << 16 | UInt32(b[at + 2]) << 8 | UInt32(b[at + 3])
        }
        x = state(0)
        y = state(4)
        position = 8
        guard x >= RANSEncoder.lower, y >= RANSEncoder.lower else { throw .malformed("rANS initial state") }
        let m = model.frequencies.count
        slots = .allocate(capacity: Int(RANSModel.total))
        table = .allocate(capacity: 2 * m)
        for s in 0..<m {
            let f = model.frequencies[s]
            table[2 * s] = f
            table[2 * s + 1] = model.starts[s]
            if f > 0 { (slots + Int(model.starts[s])).initialize(repeating: UInt16(s), count: Int(f)) }
        }
    }

    public func release() {
        slots.deallocate()
        table.deallocate()
    }

    /// The next symbol.
    @inline(__always)
    public mutating func next() throws(ChunkDecodingError) -> Int {
        let slot = x & (RANSModel.total - 1)
        let s = Int(slots[Int(slot)])
        var state = table[2 * s] &* (x >> RANSModel.precisionBits) &+ slot &- table[2 * s + 1]
        while state < RANSEncoder.lower {
            guard position < bytes.count else { throw .truncated }
            state = (state << 8) | UInt32(bytes[position])
            position += 1
        }
        x = y
        y = state
        return s
    }

    /// Checks that the stream ended where the encoder began.
    public func finish() throws(ChunkDecodingError) {
        guard x == RANSEncoder.lower, y == RANSEncoder.lower, position == bytes.count else {
            throw .malformed("rANS stream does not end cleanly")
        }
    }
}

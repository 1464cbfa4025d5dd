/// Constants of the chunk encoding (docs/FORMAT.md, "Chunk").
public enum ChunkFormat {
    /// How a chunk section is stored after the column transforms.
    public enum Codec: UInt8, Sendable {
        /// The section as is (when zstd would not make it smaller).
        case raw = 0
        /// One zstd frame holding the section.
        case zstd = 1
    }

    /// How source times are stored.
    public enum TimeMode: UInt8, Sendable {
        /// Zigzag varint delta-of-delta (the first time relative to 0).
        case deltaOfDelta = 0
        /// The first time (signed varint), then the n − 1 intervals as an integer block.
        case codedIntervals = 1
    }

    /// How receive times are stored.
    public enum ReceiveMode: UInt8, Sendable {
        /// Every receive time equals its source time; nothing stored.
        case sameAsSource = 0
        /// Zigzag varint deltas of `receive - source` (live MQTT: small jitter).
        case offsetDelta = 1
        /// Delta-of-delta of the receive times themselves (imports: one receive time).
        case deltaOfDelta = 2
        /// `receive - source` of every sample as an integer block (entropy-coded).
        case codedOffsets = 3
    }

    /// How mantissas are stored (docs/FORMAT.md, "Values section"). "Normalized" means
    /// rescaled to the chunk's largest scale `S` (so residuals compare like with like); the
    /// mantissas as received are used when that would overflow.
    public enum ValueMode: UInt8, Sendable {
        /// Zigzag varint deltas of the normalized mantissas (short chunks), zstd when it pays.
        case normalizedDelta = 0
        /// Zigzag varint deltas of the mantissas as received.
        case rawDelta = 1
        /// Residuals against a predictor as rANS-coded bucket symbols + raw low bits (noise).
        case bucket = 2
        /// Indexes into the chunk's sorted distinct values, rANS-coded (quantised signals).
        case dictionary = 3
    }

    /// What a bucket-coded residual is relative to.
    public enum Predictor: UInt8, Sendable {
        /// The previous value (the first relative to 0).
        case previous = 0
        /// A reference value stored once (white noise around a level).
        case reference = 1
        /// The floor of the mean of the previous four values (the first relative to 0; before
        /// the fifth, missing history is the first value). Noise on a slowly moving level.
        case mean4 = 2
    }

    /// How scales are stored.
    public enum ScaleMode: UInt8, Sendable {
        /// Runs of the scale itself.
        case raw = 0
        /// Runs of `scale - predicted`, where predicted = S − (trailing decimal zeros of the
        /// normalized mantissa, at most S): zero for text without trailing zeros (`%g`
        /// output), whatever its magnitude.
        case residual = 1
        /// No scale column: the values section carries the scales (dictionary mode, whose
        /// entries are distinct (value, scale) pairs — the distinct texts).
        case inValues = 2
    }

    /// Largest number of samples one chunk may hold (bounds decoder allocations).
    public static let maxSamples = 1 << 20
    /// Largest section a chunk may declare (bounds decoder allocations).
    public static let maxSectionBytes = 64 << 20
    /// Below this many samples only varint deltas are tried (bucket tables do not pay).
    static let bucketMinimumSamples = 64
    /// Sections shorter than this are never offered to zstd.
    public static let zstdMinimumBytes = 256
    /// zstd level for sealed chunks: 3 is zstd's default, ~300 MB/s here.
    public static let defaultLevel: Int32 = 3
}

/// Powers of ten that fit an `Int64` (10^0 … 10^18).
@usableFromInline
let powersOfTen: [Int64] = {
    var p: [Int64] = [1]
    for _ in 1...18 { p.append(p.last! * 10) }
    return p
}()

/// Decimal trailing zeros of `n`, at most `limit` (0 has `limit`).
@inlinable
func trailingDecimalZeros(_ n: Int64, limit: Int) -> Int {
    if n == 0 { return limit }
    var x = n
    var z = 0
    while z < limit, x % 10 == 0 {
        x /= 10
        z += 1
    }
    return z
}

/// `x / 10^shift` when the division is exact, else nil. The common shifts divide by a
/// constant (a multiply, not a 25-cycle `div`): decoding spends its time here otherwise.
@inline(__always)
func exactQuotient(_ x: Int64, powerOfTen shift: Int) -> Int64? {
    @inline(__always)
    func divide(_ d: Int64) -> Int64? {
        let q = x / d
        return q &* d == x ? q : nil
    }
    switch shift {
    case 0: return x
    case 1: return divide(10)
    case 2: return divide(100)
    case 3: return divide(1000)
    case 4: return divide(10_000)
    case 5: return divide(100_000)
    case 6: return divide(1_000_000)
    default: return divide(powersOfTen[shift])
    }
}

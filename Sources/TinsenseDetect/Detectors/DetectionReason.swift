/// Why a detector scored a reading as it did, in numbers an operator can check against a
/// plot: what was seen, what the detector expected, and the raw deviation statistic.
///
/// Kept as numbers (not text) so the hot path never formats strings; `description` renders
/// it for the alert log.
public struct DetectionReason: Sendable, Hashable, CustomStringConvertible {
    public var detector: DetectorKind
    /// The quantity the detector looked at (the value, a step, a run length…).
    public var observed: Double
    /// What it expected that quantity to be (rolling mean, median, baseline…).
    public var expected: Double
    /// The raw deviation statistic before calibration (σs, MADs, CUSUM units, readings).
    public var statistic: Double

    public init(detector: DetectorKind, observed: Double, expected: Double, statistic: Double) {
        self.detector = detector
        self.observed = observed
        self.expected = expected
        self.statistic = statistic
    }

    public var description: String {
        let dir = observed >= expected ? "above" : "below"
        let s = Self.short(statistic)
        switch detector {
        case .zscore:
            return "value \(Self.short(observed)) is \(s) σ \(dir) the rolling mean \(Self.short(expected))"
        case .mad:
            return "value \(Self.short(observed)) is \(s) MADs \(dir) the rolling median \(Self.short(expected))"
        case .drift:
            return "level drifting \(observed >= expected ? "up" : "down"): value \(Self.short(observed)) vs baseline \(Self.short(expected)) (CUSUM \(s))"
        case .flatline:
            return "value stuck at \(Self.short(expected)) for \(Self.short(observed)) readings"
        case .spike:
            return "jump of \(Self.short(observed)) between readings (\(s)× the usual change \(Self.short(expected)))"
        case .levelShift:
            return "level shifted to \(Self.short(observed)) from \(Self.short(expected)) (\(s) standard errors)"
        case .variance:
            return "noise rose: typical change \(Self.short(observed)) between readings is \(s)× the usual \(Self.short(expected))"
        case .range:
            return "value \(Self.short(observed)) is beyond the all-time \(observed >= expected ? "maximum" : "minimum") \(Self.short(expected)) by \(s)× the range"
        case .seasonal:
            return "value \(Self.short(observed)) where the daily/weekly cycle predicts \(Self.short(expected)) (\(s)× the usual error)"
        }
    }

    /// At most four decimals (fewer for large values), trailing zeros dropped, no exponent
    /// for ordinary plant magnitudes: `4.21`, `1234.5`, `0.0032`.
    public static func short(_ v: Double) -> String {
        guard v.isFinite else { return "\(v)" }
        let a = abs(v)
        if a != 0 && (a >= 1e7 || a < 1e-4) { return "\(v)" }
        let decimals = a >= 1000 ? 1 : a >= 100 ? 2 : a >= 10 ? 3 : 4
        var text = FixedDecimal.format(v, decimals: decimals)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text == "-0" ? "0" : text
    }
}

/// Fixed-point formatting without Foundation's `String(format:)` (this module is pure Swift).
public enum FixedDecimal {
    /// `v` rounded to `decimals` digits after the point (0...9), e.g. `format(0.5, decimals: 6)`
    /// is `0.500000`.
    public static func format(_ v: Double, decimals: Int) -> String {
        var bytes = [UInt8]()
        bytes.reserveCapacity(24)
        append(v, decimals: decimals, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the text of `format(v, decimals:)` to `out` (no allocation on the hot path
    /// beyond `out`'s growth).
    @inline(__always)
    public static func append(_ v: Double, decimals: Int, to out: inout [UInt8]) {
        guard v.isFinite else { out.append(contentsOf: Array("\(v)".utf8)); return }
        var scale: UInt64 = 1
        for _ in 0..<decimals { scale *= 10 }
        let negative = v < 0
        let magnitude = (abs(v) * Double(scale)).rounded()
        guard magnitude < 9.0e18 else { out.append(contentsOf: Array("\(v)".utf8)); return }
        let m = UInt64(magnitude)
        if negative && m != 0 { out.append(0x2D) }
        appendInteger(m / scale, to: &out)
        guard decimals > 0 else { return }
        out.append(0x2E)
        var frac = m % scale
        var digits = [UInt8](repeating: 0x30, count: decimals)
        var k = decimals - 1
        while k >= 0 { digits[k] = UInt8(0x30 + frac % 10); frac /= 10; k -= 1 }
        out.append(contentsOf: digits)
    }

    @inline(__always)
    static func appendInteger(_ v: UInt64, to out: inout [UInt8]) {
        if v < 10 { out.append(UInt8(0x30 + v)); return }
        var tmp = [UInt8]()
        var x = v
        while x > 0 { tmp.append(UInt8(0x30 + x % 10)); x /= 10 }
        out.append(contentsOf: tmp.reversed())
    }
}

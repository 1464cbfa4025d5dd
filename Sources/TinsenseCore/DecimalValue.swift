/// A reading's value exactly as the device wrote it: an integer mantissa and a count of
/// digits after the decimal point (`12.50` is mantissa 1250, scale 2).
///
/// Readings arrive as decimal text. Keeping the text's own digits (not a `Double`) makes
/// storage lossless with respect to what was received, keeps trailing zeros that carry the
/// instrument's resolution, and lets the encoder store small integer deltas instead of
/// XORed floating-point bits. Exponent notation (`1.5e3`) is accepted and kept as the exact
/// equal plain decimal (`1500`); `-0` is kept as `0`.
public struct DecimalValue: Hashable, Sendable, CustomStringConvertible {
    public var mantissa: Int64
    /// Digits after the decimal point, 0...maxScale.
    public var scale: UInt8

    public static let maxScale: UInt8 = 30

    @inlinable
    public init(mantissa: Int64, scale: UInt8) {
        precondition(scale <= DecimalValue.maxScale)
        self.mantissa = mantissa
        self.scale = scale
    }

    /// Parses a JSON number (`-?int(.frac)?([eE][+-]?exp)?`). Returns nil for anything else,
    /// for more than 18 significant digits, or when the exact value does not fit.
    public init?(_ text: some StringProtocol) {
        var copy = String(text)
        guard let v = copy.withUTF8({ DecimalValue(utf8: UnsafeRawBufferPointer($0)) }) else { return nil }
        self = v
    }

    /// Byte-level parser used by the payload scanner; see `init?(_:)`.
    public init?(utf8 p: UnsafeRawBufferPointer) {
        let n = p.count
        var i = 0
        var negative = false
        if i < n, p[i] == 0x2D { negative = true; i += 1 }
        guard i < n else { return nil }
        var mantissa: UInt64 = 0
        var digits = 0
        var scale = 0
        // Integer part: "0" or [1-9][0-9]*
        if p[i] == 0x30 {
            i += 1
            if i < n, p[i] >= 0x30, p[i] <= 0x39 { return nil }
        } else if p[i] >= 0x31, p[i] <= 0x39 {
            while i < n, p[i] >= 0x30, p[i] <= 0x39 {
                mantissa = mantissa &* 10 &+ UInt64(p[i] - 0x30)
                digits += 1
                i += 1
            }
        } else {
            return nil
        }
        if i < n, p[i] == 0x2E {
            i += 1
            let start = i
            while i < n, p[i] >= 0x30, p[i] <= 0x39 {
                mantissa = mantissa &* 10 &+ UInt64(p[i] - 0x30)
                if mantissa != 0 { digits += 1 }
                scale += 1
                i += 1
            }
            guard i > start else { return nil }
        }
        guard digits <= 18 else { return nil }
        var exponent = 0
        if i < n, p[i] == 0x65 || p[i] == 0x45 {
            i += 1
            var expNegative = false
            if i < n, p[i] == 0x2B || p[i] == 0x2D { expNegative = p[i] == 0x2D; i += 1 }
            let start = i
            while i < n, p[i] >= 0x30, p[i] <= 0x39 {
                exponent = exponent * 10 + Int(p[i] - 0x30)
                guard exponent < 1000 else { return nil }
                i += 1
            }
            guard i > start else { return nil }
            if expNegative { exponent = -exponent }
        }
        guard i == n else { return nil }
        scale -= exponent
        while scale < 0 {
            let (m, overflow) = mantissa.multipliedReportingOverflow(by: 10)
            guard !overflow else { return nil }
            mantissa = m
            scale += 1
        }
        guard scale <= Int(DecimalValue.maxScale), mantissa <= UInt64(Int64.max) else { return nil }
        self.mantissa = negative ? -Int64(mantissa) : Int64(mantissa)
        self.scale = UInt8(scale)
    }

    /// The value as plain decimal text with exactly `scale` digits after the point.
    public var description: String {
        let magnitude = mantissa.magnitude
        var digits = Array(String(magnitude).utf8)
        let s = Int(scale)
        if s > 0 {
            if digits.count <= s {
                digits = [UInt8](repeating: 0x30, count: s - digits.count + 1) + digits
            }
            digits.insert(0x2E, at: digits.count - s)
        }
        if mantissa < 0 { digits.insert(0x2D, at: 0) }
        return String(decoding: digits, as: UTF8.self)
    }

    /// The nearest `Double`, for detection and plotting (never for storage).
    public var doubleValue: Double {
        Double(mantissa) / DecimalValue.powersOfTen(Int(scale))
    }

    @inlinable
    static func powersOfTen(_ s: Int) -> Double {
        if s < powers.count { return powers[s] }
        var p = 1.0
        for _ in 0..<s { p *= 10 }
        return p
    }

    @usableFromInline
    static let powers: [Double] = (0...22).map { e in
        var p = 1.0
        for _ in 0..<e { p *= 10 }
        return p
    }
}

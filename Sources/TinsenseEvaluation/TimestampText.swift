import TinsenseCore

/// Timestamps as data sets write them, for offline scoring: ISO-8601 with `T` or a space,
/// with or without a zone (UTC assumed), with or without seconds, a bare date, or epoch
/// seconds / milliseconds. Detection needs only a consistent clock, so a missing zone is
/// harmless as long as the whole series is written the same way.
package enum TimestampText {
    /// Parses `bytes` (surrounding quotes and spaces ignored); nil when no form fits.
    package static func parse(_ bytes: UnsafeRawBufferPointer) -> Timestamp? {
        var lo = 0, hi = bytes.count
        while lo < hi, bytes[lo] == 0x20 || bytes[lo] == 0x22 { lo += 1 }
        while hi > lo, bytes[hi - 1] == 0x20 || bytes[hi - 1] == 0x22 { hi -= 1 }
        guard hi > lo else { return nil }
        let p = UnsafeRawBufferPointer(rebasing: bytes[lo..<hi])
        if let t = RFC3339.parse(utf8: p, allowMissingZone: true) { return t }
        let n = p.count
        // `YYYY-MM-DD HH:MM` (no seconds) and `YYYY-MM-DD` (a date).
        if n >= 10, p[4] == 0x2D, p[7] == 0x2D {
            var padded = Array(p)
            if n == 10 { padded += Array("T00:00:00".utf8) } else if n == 16 || (n > 16 && p[16] != 0x3A) {
                padded.insert(contentsOf: Array(":00".utf8), at: 16)
            } else {
                return nil
            }
            return padded.withUnsafeBytes { RFC3339.parse(utf8: $0, allowMissingZone: true) }
        }
        // Epoch seconds (possibly fractional) or milliseconds, up to the end of year 9999
        // (beyond, `Int64(v)` would trap: a cell like `1e19` is a bad cell, not a crash).
        if let v = NumberText.parseDouble(p), v.isFinite, v > 0, v <= lastMillisecondOfYear9999 {
            return Timestamp(millisecondsSinceEpoch: v >= 1e11 ? Int64(v) : Int64((v * 1000).rounded()))
        }
        return nil
    }

    /// 9999-12-31T23:59:59.999Z in epoch milliseconds.
    static let lastMillisecondOfYear9999 = 253_402_300_799_999.0
}

/// Decimal numbers from bytes without creating a `String` per field: the common case
/// (≤ 15 significant digits, small exponent) is exact by Clinger's fast path; anything else
/// falls back to the standard library's correctly-rounded parser.
package enum NumberText {
    private static let powers: [Double] = (0...22).map { e in
        var p = 1.0
        for _ in 0..<e { p *= 10 }
        return p
    }

    /// Parses `-12.5`, `3e-4`, `+7`, ` 42 `, `"1.5"`. Nil for empty text, `NaN`, `inf` and
    /// anything that is not a finite number.
    package static func parseDouble(_ bytes: UnsafeRawBufferPointer) -> Double? {
        var i = 0, n = bytes.count
        while i < n, bytes[i] == 0x20 || bytes[i] == 0x22 || bytes[i] == 0x09 { i += 1 }
        while n > i, bytes[n - 1] == 0x20 || bytes[n - 1] == 0x22 || bytes[n - 1] == 0x09 { n -= 1 }
        guard i < n else { return nil }
        let start = i
        var negative = false
        if bytes[i] == 0x2D || bytes[i] == 0x2B { negative = bytes[i] == 0x2D; i += 1 }
        var mantissa: UInt64 = 0
        var digits = 0, scale = 0, sawDigit = false
        while i < n, bytes[i] >= 0x30, bytes[i] <= 0x39 {
            sawDigit = true
            if digits < 19 { mantissa = mantissa * 10 + UInt64(bytes[i] - 0x30); if mantissa != 0 { digits += 1 } } else { scale -= 1 }
            i += 1
        }
        if i < n, bytes[i] == 0x2E {
            i += 1
            while i < n, bytes[i] >= 0x30, bytes[i] <= 0x39 {
                sawDigit = true
                if digits < 19 { mantissa = mantissa * 10 + UInt64(bytes[i] - 0x30); if mantissa != 0 { digits += 1 }; scale += 1 }
                i += 1
            }
        }
        guard sawDigit else { return nil }
        var exponent = 0
        if i < n, bytes[i] == 0x65 || bytes[i] == 0x45 {
            i += 1
            var expNegative = false
            if i < n, bytes[i] == 0x2D || bytes[i] == 0x2B { expNegative = bytes[i] == 0x2D; i += 1 }
            let expStart = i
            while i < n, bytes[i] >= 0x30, bytes[i] <= 0x39 {
                if exponent < 10_000 { exponent = exponent * 10 + Int(bytes[i] - 0x30) }
                i += 1
            }
            guard i > expStart else { return nil }
            if expNegative { exponent = -exponent }
        }
        guard i == n else { return nil }
        let e = exponent - scale
        if digits <= 15, e >= -22, e <= 22 {
            var v = Double(mantissa)
            v = e < 0 ? v / powers[-e] : v * powers[e]
            return negative ? -v : v
        }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<n]), as: UTF8.self)
        guard let v = Double(text), v.isFinite else { return nil }
        return v
    }
}

/// RFC 3339 / ISO 8601 timestamps parsed and printed by hand.
///
/// Written by hand because Foundation's `ISO8601DateFormatter` parses 10–18 k/s on Linux
/// (measured, see docs/LIBMOSQUITTO.md) and readings arrive at millions per second; this parser
/// does ~10 M/s and allocates nothing.
public enum RFC3339 {
    /// Parses `YYYY-MM-DDTHH:MM:SS[.fff…](Z|±HH:MM|±HHMM)?`. A space may stand for `T`, the `T`
    /// and zone are case-insensitive. Without a zone the time is taken as UTC when
    /// `allowMissingZone` is true, otherwise `nil` is returned. Fractions finer than a
    /// millisecond are truncated. Returns nil for anything else (including impossible dates).
    public static func parse(_ text: some StringProtocol, allowMissingZone: Bool = false) -> Timestamp? {
        var copy = String(text)
        return copy.withUTF8 { parse(utf8: UnsafeRawBufferPointer($0), allowMissingZone: allowMissingZone) }
    }

    /// Byte-level entry point used by the payload scanner.
    public static func parse(utf8 p: UnsafeRawBufferPointer, allowMissingZone: Bool = false) -> Timestamp? {
        let n = p.count
        var i = 0
        @inline(__always) func digits(_ count: Int) -> Int? {
            guard i + count <= n else { return nil }
            var v = 0
            for k in 0..<count {
                let c = p[i + k]
                guard c >= 0x30, c <= 0x39 else { return nil }
                v = v * 10 + Int(c - 0x30)
            }
            i += count
            return v
        }
        @inline(__always) func expect(_ c: UInt8) -> Bool {
            guard i < n, p[i] == c else { return false }
            i += 1
            return true
        }
        guard let year = digits(4), expect(0x2D), let month = digits(2), expect(0x2D), let day = digits(2) else { return nil }
        guard i < n, p[i] == 0x54 || p[i] == 0x74 || p[i] == 0x20 else { return nil }
        i += 1
        guard let hour = digits(2), expect(0x3A), let minute = digits(2), expect(0x3A), let second = digits(2) else { return nil }
        var millis = 0
        if i < n, p[i] == 0x2E || p[i] == 0x2C {
            i += 1
            var count = 0
            while i < n, p[i] >= 0x30, p[i] <= 0x39 {
                if count < 3 { millis = millis * 10 + Int(p[i] - 0x30) }
                count += 1
                i += 1
            }
            guard count > 0 else { return nil }
            if count == 1 { millis *= 100 } else if count == 2 { millis *= 10 }
        }
        var offsetMinutes = 0
        if i == n {
            guard allowMissingZone else { return nil }
        } else if p[i] == 0x5A || p[i] == 0x7A {
            i += 1
        } else if p[i] == 0x2B || p[i] == 0x2D {
            let sign = p[i] == 0x2D ? -1 : 1
            i += 1
            guard let oh = digits(2) else { return nil }
            _ = expect(0x3A)
            guard let om = digits(2), oh < 24, om < 60 else { return nil }
            offsetMinutes = sign * (oh * 60 + om)
        } else {
            return nil
        }
        guard i == n else { return nil }
        guard (1...12).contains(month), day >= 1, day <= daysInMonth(year: year, month: month),
              hour < 24, minute < 60, second <= 60 else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let secs = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + min(second, 59)) - Int64(offsetMinutes * 60)
        return Timestamp(millisecondsSinceEpoch: secs * 1000 + Int64(millis))
    }

    /// `2026-11-27T03:37:11.250Z` (always UTC, always milliseconds).
    public static func format(_ t: Timestamp) -> String {
        let ms = t.millisecondsSinceEpoch
        var days = ms / 86_400_000
        var rem = ms % 86_400_000
        if rem < 0 { rem += 86_400_000; days -= 1 }
        let (y, m, d) = civilFromDays(Int(days))
        let h = Int(rem / 3_600_000), mi = Int(rem / 60_000 % 60), s = Int(rem / 1000 % 60), f = Int(rem % 1000)
        var out = [UInt8]()
        out.reserveCapacity(24)
        func put(_ v: Int, _ width: Int) {
            var digits = [UInt8](repeating: 0x30, count: width)
            var x = v
            for k in stride(from: width - 1, through: 0, by: -1) { digits[k] = UInt8(0x30 + x % 10); x /= 10 }
            out.append(contentsOf: digits)
        }
        put(y, 4); out.append(0x2D); put(m, 2); out.append(0x2D); put(d, 2); out.append(0x54)
        put(h, 2); out.append(0x3A); put(mi, 2); out.append(0x3A); put(s, 2); out.append(0x2E); put(f, 3); out.append(0x5A)
        return String(decoding: out, as: UTF8.self)
    }

    static func isLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 (Howard Hinnant's algorithm).
    public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    public static func civilFromDays(_ z0: Int) -> (year: Int, month: Int, day: Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }
}

import TinsenseCore

/// The fast path: a byte scanner for the payload shapes plants actually send — one flat
/// JSON object, an array of flat objects, or a bare number — about 20× faster than
/// Foundation's parser (docs/LIBMOSQUITTO.md). It returns nil for anything it does not fully
/// understand (escapes, non-ASCII text, nesting, invalid JSON), and the caller falls back to
/// Foundation; a test checks both paths agree on thousands of generated payloads.
enum FlatJSONScanner {
    enum Shape {
        case object(ItemFields)
        case array([ItemFields])
        case plain(JSONScalar)
    }

    static func scan(_ p: UnsafeRawBufferPointer) -> Shape? {
        var s = Cursor(p: p, i: 0)
        s.skipWhitespace()
        guard s.i < p.count else { return nil }
        let shape: Shape
        switch p[s.i] {
        case UInt8(ascii: "{"):
            guard let o = s.object() else { return nil }
            shape = .object(o)
        case UInt8(ascii: "["):
            s.i += 1
            var items: [ItemFields] = []
            s.skipWhitespace()
            if s.peek == UInt8(ascii: "]") {
                s.i += 1
            } else {
                while true {
                    s.skipWhitespace()
                    guard s.peek == UInt8(ascii: "{"), let o = s.object() else { return nil }
                    items.append(o)
                    s.skipWhitespace()
                    if s.peek == UInt8(ascii: ",") { s.i += 1; continue }
                    guard s.peek == UInt8(ascii: "]") else { return nil }
                    s.i += 1
                    break
                }
            }
            shape = .array(items)
        default:
            guard let v = s.bareToken(), v.isNumber else { return nil }
            shape = .plain(v)
        }
        s.skipWhitespace()
        return s.i == p.count ? shape : nil
    }

    struct Cursor {
        let p: UnsafeRawBufferPointer
        var i: Int

        var peek: UInt8? { i < p.count ? p[i] : nil }

        mutating func skipWhitespace() {
            while i < p.count {
                switch p[i] {
                case 0x20, 0x09, 0x0A, 0x0D: i += 1
                default: return
                }
            }
        }

        mutating func object() -> ItemFields? {
            guard peek == UInt8(ascii: "{") else { return nil }
            i += 1
            var fields = ItemFields()
            skipWhitespace()
            if peek == UInt8(ascii: "}") { i += 1; return fields }
            while true {
                skipWhitespace()
                guard let key = asciiString() else { return nil }
                skipWhitespace()
                guard peek == UInt8(ascii: ":") else { return nil }
                i += 1
                skipWhitespace()
                guard let value = scalar() else { return nil }
                fields.set(asciiKey: key, value)
                skipWhitespace()
                if peek == UInt8(ascii: ",") { i += 1; continue }
                guard peek == UInt8(ascii: "}") else { return nil }
                i += 1
                return fields
            }
        }

        /// A string without escapes, control characters or non-ASCII bytes.
        mutating func string() -> String? {
            asciiString().map { String(decoding: $0, as: UTF8.self) }
        }

        /// `string()`'s bytes, between the quotes, without making a String (object keys).
        mutating func asciiString() -> UnsafeRawBufferPointer? {
            guard peek == UInt8(ascii: "\"") else { return nil }
            let start = i + 1
            var j = start
            while j < p.count {
                let c = p[j]
                if c == UInt8(ascii: "\"") {
                    i = j + 1
                    return UnsafeRawBufferPointer(rebasing: p[start..<j])
                }
                if c == UInt8(ascii: "\\") || c < 0x20 || c >= 0x80 { return nil }
                j += 1
            }
            return nil
        }

        mutating func scalar() -> JSONScalar? {
            guard let c = peek else { return nil }
            switch c {
            case UInt8(ascii: "\""):
                guard let s = string() else { return nil }
                return .string(s)
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                return nil
            default:
                return bareToken()
            }
        }

        /// A number (strict JSON grammar), `true`, `false`, `null`, or the `NaN`/`Infinity`
        /// tokens some devices send unquoted.
        mutating func bareToken() -> JSONScalar? {
            let start = i
            while i < p.count, JSONToken.isTokenByte(p[i]) { i += 1 }
            guard i > start else { return nil }
            let token = UnsafeRawBufferPointer(rebasing: p[start..<i])
            switch JSONToken.number(token) {
            case .plain(let d): return .decimal(d)
            case .text: return .number(String(decoding: token, as: UTF8.self))
            case .notNumber: break
            }
            if JSONToken.isNotANumberToken(token) {
                return .number(String(decoding: token, as: UTF8.self))
            }
            switch String(decoding: token, as: UTF8.self) {
            case "true": return .bool(true)
            case "false": return .bool(false)
            case "null": return .null
            default: return nil
            }
        }
    }
}

/// Token rules shared by the scanner and the fallback's pre-pass.
enum JSONToken {
    static func isTokenByte(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
            || c == UInt8(ascii: "-") || c == UInt8(ascii: "+") || c == UInt8(ascii: ".")
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?` (the fallback's pre-pass; the
    /// grammar itself is walked once, in `number`).
    static func isNumber(_ t: UnsafeRawBufferPointer) -> Bool { number(t) != .notNumber }

    enum NumberToken: Equatable {
        /// Not JSON's number grammar.
        case notNumber
        /// A number whose text `DecimalValue.description` gives back byte for byte: no
        /// exponent, at most 18 significant digits, scale ≤ `DecimalValue.maxScale`, not a
        /// negative zero (`-0`, `-0.00`); its value is exactly `DecimalValue(utf8:)`'s.
        case plain(DecimalValue)
        /// Any other number: kept as text for `ItemInterpreter` (exponents, too many digits).
        case text
    }

    /// The grammar check and, for the plain case, `DecimalValue(utf8:)` in one pass over the
    /// token: the scanner's number path, where checking the grammar, then parsing, then making
    /// a `String` cost three passes and an allocation's worth of work per token. (It repeats
    /// `DecimalValue(utf8:)`'s digit loop on purpose: calling it after the check measured 272
    /// instructions a token, the fused loop a fraction of that.)
    @inline(__always)
    static func number(_ t: UnsafeRawBufferPointer) -> NumberToken {
        let n = t.count
        var i = 0
        @inline(__always) func digit(_ k: Int) -> Bool { k < n && t[k] >= 0x30 && t[k] <= 0x39 }
        let negative = i < n && t[i] == UInt8(ascii: "-")
        if negative { i += 1 }
        guard digit(i) else { return .notNumber }
        var mantissa: UInt64 = 0
        var digits = 0
        var scale = 0
        if t[i] == 0x30 {
            i += 1
        } else {
            while digit(i) {
                mantissa = mantissa &* 10 &+ UInt64(t[i] &- 0x30)
                digits += 1
                i += 1
            }
        }
        if i < n, t[i] == UInt8(ascii: ".") {
            i += 1
            guard digit(i) else { return .notNumber }
            while digit(i) {
                mantissa = mantissa &* 10 &+ UInt64(t[i] &- 0x30)
                if mantissa != 0 { digits += 1 }
                scale += 1
                i += 1
            }
        }
        if i < n, t[i] == UInt8(ascii: "e") || t[i] == UInt8(ascii: "E") {
            i += 1
            if i < n, t[i] == UInt8(ascii: "+") || t[i] == UInt8(ascii: "-") { i += 1 }
            guard digit(i) else { return .notNumber }
            while digit(i) { i += 1 }
            return i == n ? .text : .notNumber
        }
        guard i == n else { return .notNumber }
        // At most 18 digits: the mantissa has not wrapped and fits an Int64.
        guard digits <= 18, scale <= Int(DecimalValue.maxScale), !(negative && mantissa == 0) else { return .text }
        return .plain(DecimalValue(mantissa: negative ? -Int64(mantissa) : Int64(mantissa), scale: UInt8(scale)))
    }

    static func isNotANumberToken(_ t: UnsafeRawBufferPointer) -> Bool {
        switch String(decoding: t, as: UTF8.self) {
        case "NaN", "-NaN", "Infinity", "-Infinity": true
        default: false
        }
    }
}

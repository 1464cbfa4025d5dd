import TinsenseCore

/// Turns the fields of one payload object into a `DecodedItem`.
///
/// Accepted keys: `value` (number, numeric string, `NaN`/`Infinity`/`null` → not a number),
/// `ts` / `timestamp` / `time` (RFC 3339 with `Z` or offset, or epoch milliseconds as number or
/// digit string; numbers below 10^11 are taken as epoch seconds and may have a fraction),
/// `unit` (string), `quality` (name such as `good` or a numeric OPC UA / Sparkplug code).
/// Other keys are ignored.
enum ItemInterpreter {
    static func item(from fields: ItemFields) -> Result<DecodedItem, DecodeFailure> {
        guard let raw = fields.value else {
            return .failure(DecodeFailure(.malformed, "object has no \"value\" field"))
        }
        let value: DecodedItem.Value
        switch raw {
        case .decimal(let d):
            value = .number(d)
        case .number(let text), .string(let text):
            if let v = DecimalValue(text) {
                value = .number(v)
            } else if isNotANumber(text) {
                value = .notANumber(text)
            } else if case .number = raw, looksNumeric(text) {
                return .failure(DecodeFailure(.malformed, "value \(clip(text)) has more than 18 significant digits or is out of range"))
            } else {
                return .failure(DecodeFailure(.malformed, "value \(clip(text)) is not a number"))
            }
        case .null:
            value = .notANumber("null")
        case .bool(let b):
            return .failure(DecodeFailure(.malformed, "value is a boolean (\(b))"))
        case .nested:
            return .failure(DecodeFailure(.malformed, "value is an object or array"))
        }

        var sourceTime: Timestamp?
        if let ts = fields.ts ?? fields.timestamp ?? fields.time {
            switch timestamp(ts) {
            case .success(let t): sourceTime = t
            case .failure(let f): return .failure(f)
            }
        }

        var unit: String?
        switch fields.unit {
        case .none, .null: break
        case .string(let u): unit = u
        default: return .failure(DecodeFailure(.malformed, "unit is not a string"))
        }

        var quality: Quality?
        switch fields.quality {
        case .none, .null: break
        case .string(let q):
            if let parsed = Quality(name: q) {
                quality = parsed
            } else if let code = UInt64(q) {
                quality = Quality(code: code)
            } else {
                return .failure(DecodeFailure(.malformed, "quality \(clip(q)) is not good, uncertain, bad, stale or a numeric code"))
            }
        case .number(let n):
            guard let code = UInt64(n) else {
                return .failure(DecodeFailure(.malformed, "quality \(clip(n)) is not a non-negative integer code"))
            }
            quality = Quality(code: code)
        case .decimal(let d):
            // What `UInt64(text)` accepts of such a token: an integer (scale 0) that is not negative.
            guard d.scale == 0, d.mantissa >= 0 else {
                return .failure(DecodeFailure(.malformed, "quality \(clip(d.description)) is not a non-negative integer code"))
            }
            quality = Quality(code: UInt64(d.mantissa))
        default:
            return .failure(DecodeFailure(.malformed, "quality is not a string or number"))
        }
        return .success(DecodedItem(value: value, sourceTime: sourceTime, unit: unit, quality: quality))
    }

    static func timestamp(_ raw: JSONScalar) -> Result<Timestamp, DecodeFailure> {
        switch raw {
        case .number(let text):
            if let t = epoch(text) { return .success(t) }
            return .failure(DecodeFailure(.malformed, "ts \(clip(text)) is not epoch milliseconds or seconds"))
        case .decimal(let d):
            // An integer token is exactly `Int64(text)` = the mantissa at scale 0.
            if let t = d.scale == 0 ? epoch(integer: d.mantissa) : epoch(decimal: d) { return .success(t) }
            return .failure(DecodeFailure(.malformed, "ts \(clip(d.description)) is not epoch milliseconds or seconds"))
        case .string(let text):
            if let t = RFC3339.parse(text) { return .success(t) }
            if text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let t = epoch(text) { return .success(t) }
            return .failure(DecodeFailure(.malformed, "ts \(clip(text)) is not RFC 3339 with a zone or epoch milliseconds"))
        default:
            return .failure(DecodeFailure(.malformed, "ts is not a string or number"))
        }
    }

    /// Epoch milliseconds, or epoch seconds (with an optional fraction) when below 10^11.
    static func epoch(_ text: String) -> Timestamp? {
        if let ms = Int64(text) { return epoch(integer: ms) }
        guard let d = DecimalValue(text) else { return nil }
        return epoch(decimal: d)
    }

    /// An integer: epoch seconds below 10^11, else milliseconds.
    @inline(__always)
    static func epoch(integer ms: Int64) -> Timestamp {
        if ms.magnitude < 100_000_000_000 { return Timestamp(millisecondsSinceEpoch: ms * 1000) }
        return Timestamp(millisecondsSinceEpoch: ms)
    }

    /// A number that is not an integer token (a fraction, an exponent).
    static func epoch(decimal d: DecimalValue) -> Timestamp? {
        let seconds = d.doubleValue
        // Int64(exactly:) refuses what does not fit: a device's absurd number is malformed,
        // never a crash.
        guard seconds.magnitude < 100_000_000_000 else {
            // Epoch ms with a fraction: keep whole milliseconds.
            return Int64(exactly: seconds.rounded(.towardZero)).map(Timestamp.init(millisecondsSinceEpoch:))
        }
        return Int64(exactly: (seconds * 1000).rounded(.towardZero)).map(Timestamp.init(millisecondsSinceEpoch:))
    }

    static func isNotANumber(_ text: String) -> Bool {
        switch text.lowercased() {
        case "nan", "-nan", "+nan", "infinity", "-infinity", "+infinity", "inf", "-inf", "+inf": true
        default: false
        }
    }

    static func looksNumeric(_ text: String) -> Bool {
        text.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D || $0 == 0x2B || $0 == 0x2E || $0 == 0x65 || $0 == 0x45 }
    }

    /// A bounded, printable excerpt for error details.
    static func clip(_ text: String) -> String {
        let limit = 40
        let shown = text.count > limit ? String(text.prefix(limit)) + "…" : text
        return "\"" + shown + "\""
    }
}

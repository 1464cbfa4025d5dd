import TinsenseCore

/// Turns one sample into the bytes a gateway would publish.
enum PayloadEncoder {
    static func encode(value: DecimalValue, at time: Timestamp, unit: String, shape: PayloadShape) -> [UInt8] {
        switch shape {
        case .jsonRFC3339:
            let text = #"{"ts":"\#(RFC3339.format(time))","value":\#(value),"unit":"\#(jsonEscaped(unit))","quality":"good"}"#
            return Array(text.utf8)
        case .jsonEpochMilliseconds:
            return Array(#"{"ts":\#(time.millisecondsSinceEpoch),"value":\#(value)}"#.utf8)
        case .plainNumber:
            return Array(value.description.utf8)
        }
    }

    /// Four ways real gateways break payloads. Every variant is unreadable as JSON and as a
    /// bare number, so a decoder must reject it as `malformed` (not `nan` or `out_of_range`).
    static func malformed(value: DecimalValue, at time: Timestamp, unit: String, shape: PayloadShape, variant: Int) -> [UInt8] {
        let valid = encode(value: value, at: time, unit: unit, shape: shape)
        switch variant % 4 {
        case 0:
            // Truncated in flight (a gateway buffer cut the message): lose the tail.
            if shape == .plainNumber { return Array("\(value)e".utf8) }
            return Array(valid.prefix(valid.count * 2 / 3))
        case 1:
            // A broken number: two decimal points, as a buggy float formatter writes them.
            if shape == .plainNumber { return Array("\(value).1.2".utf8) }
            let text = String(decoding: valid, as: UTF8.self)
                .replacingFirst(#""value":\#(value)"#, with: #""value":\#(value).1.2"#)
            return Array(text.utf8)
        case 2:
            // Binary noise on a serial link: invalid UTF-8 and control bytes.
            return [0xFF, 0xFE, 0x00, 0x13, 0x9A, 0x7B, 0xC3, 0x28]
        default:
            // Empty payload (a gateway published before its first poll).
            return []
        }
    }

    static func jsonEscaped(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20: out += "?"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

extension String {
    /// The string with the first occurrence of `target` replaced (no Foundation needed).
    fileprivate func replacingFirst(_ target: String, with replacement: String) -> String {
        let haystack = Array(utf8), needle = Array(target.utf8)
        guard !needle.isEmpty, haystack.count >= needle.count else { return self }
        for start in 0...(haystack.count - needle.count) where Array(haystack[start..<(start + needle.count)]) == needle {
            let bytes = Array(haystack[..<start]) + Array(replacement.utf8) + Array(haystack[(start + needle.count)...])
            return String(decoding: bytes, as: UTF8.self)
        }
        return self
    }
}

/// JSON string literals written by hand for line-oriented outputs (alert log, `export --format
/// jsonl`), where a fixed field order and one object per line matter and JSONEncoder's
/// per-call cost does not pay.
public enum JSONString {
    /// A JSON string literal: quotes, backslashes and control characters (and U+2028/U+2029,
    /// which break JavaScript line readers) escaped, so a value can never split a line.
    public static func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let c where c.value < 0x20 || c.value == 0x2028 || c.value == 0x2029:
                let hex = String(c.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

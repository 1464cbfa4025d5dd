import Foundation
import TinsenseCore

/// The slow path for payloads the scanner does not fully understand (escaped strings,
/// non-ASCII text, nested values, odd shapes): Foundation's `JSONSerialization` does the
/// parsing, so every legal JSON document is handled.
///
/// Foundation turns numbers into `Double`s, which would lose the decimal text the store keeps
/// exactly, so a pre-pass first wraps every bare number (and the unquoted `NaN`/`Infinity`
/// some devices send) in a string carrying a private marker and "n"; every real string gets the
/// marker and "s". Afterwards the prefixes say which was which, so no string a device sends can
/// pass for a number.
enum FoundationFallback {
    /// U+F8FF (private use) + "#", then "n" (number) or "s" (string).
    static let marker = "\u{F8FF}#"
    static let numberPrefix = marker + "n"
    static let stringPrefix = marker + "s"

    enum Shape {
        case object(ItemFields)
        case array([Result<ItemFields, DecodeFailure>])
        case plain(JSONScalar)
    }

    static func parse(_ bytes: UnsafeRawBufferPointer) -> Result<Shape, DecodeFailure> {
        guard let marked = markNumbers(bytes) else {
            return .failure(DecodeFailure(.malformed, "payload is not valid JSON or a number"))
        }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: marked, options: [.fragmentsAllowed])
        } catch {
            return .failure(DecodeFailure(.malformed, "payload is not valid JSON or a number"))
        }
        if let dict = object as? [String: Any] {
            return .success(.object(fields(dict)))
        }
        if let array = object as? [Any] {
            return .success(.array(array.enumerated().map { index, element in
                guard let dict = element as? [String: Any] else {
                    return .failure(DecodeFailure(.malformed, "batch item \(index) is not an object"))
                }
                return .success(fields(dict))
            }))
        }
        let top = scalar(object)
        if case .number = top { return .success(.plain(top)) }
        return .failure(DecodeFailure(.malformed, "payload is a JSON \(kind(top)), not an object, array or number"))
    }

    static func fields(_ dict: [String: Any]) -> ItemFields {
        var out = ItemFields()
        for (k, v) in dict { out.set(String(k.dropFirst(stringPrefix.count)), scalar(v)) }
        return out
    }

    static func scalar(_ v: Any) -> JSONScalar {
        switch v {
        case let s as String:
            if s.hasPrefix(numberPrefix) { return .number(String(s.dropFirst(numberPrefix.count))) }
            return .string(String(s.dropFirst(stringPrefix.count)))
        case is NSNull:
            return .null
        case let n as NSNumber:
            // Every number was wrapped by the pre-pass, so an NSNumber here is a boolean.
            return .bool(n.boolValue)
        default:
            return .nested
        }
    }

    static func kind(_ s: JSONScalar) -> String {
        switch s {
        case .string: "string"
        case .bool: "boolean"
        case .null: "null"
        case .number, .decimal: "number"
        case .nested: "value"
        }
    }

    /// Copies the payload, wrapping bare number tokens in marked strings. Returns nil on a
    /// token that is neither a valid JSON number nor a literal (the document is invalid).
    static func markNumbers(_ p: UnsafeRawBufferPointer) -> Data? {
        var out = [UInt8]()
        out.reserveCapacity(p.count + 16)
        let numberBytes = Array(numberPrefix.utf8)
        let stringBytes = Array(stringPrefix.utf8)
        var i = 0
        while i < p.count {
            let c = p[i]
            if c == UInt8(ascii: "\"") {
                // Copy the string verbatim (honouring escapes) behind the string prefix.
                out.append(c)
                out.append(contentsOf: stringBytes)
                i += 1
                while i < p.count {
                    let d = p[i]
                    out.append(d)
                    i += 1
                    if d == UInt8(ascii: "\\"), i < p.count {
                        out.append(p[i])
                        i += 1
                    } else if d == UInt8(ascii: "\"") {
                        break
                    }
                }
            } else if JSONToken.isTokenByte(c) {
                let start = i
                while i < p.count, JSONToken.isTokenByte(p[i]) { i += 1 }
                let token = UnsafeRawBufferPointer(rebasing: p[start..<i])
                if JSONToken.isNumber(token) || JSONToken.isNotANumberToken(token) {
                    out.append(UInt8(ascii: "\""))
                    out.append(contentsOf: numberBytes)
                    out.append(contentsOf: token)
                    out.append(UInt8(ascii: "\""))
                } else if ["true", "false", "null"].contains(String(decoding: token, as: UTF8.self)) {
                    out.append(contentsOf: token)
                } else {
                    return nil
                }
            } else {
                out.append(c)
                i += 1
            }
        }
        return Data(out)
    }
}

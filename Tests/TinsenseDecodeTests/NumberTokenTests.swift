import Testing
import TinsenseCore
@testable import TinsenseDecode
import TinsenseTestSupport

/// The scanner's one-pass number path must mean exactly what the three passes it replaced did:
/// JSON's number grammar (here a regular expression, independent of the scanner's loop),
/// `DecimalValue(utf8:)`, and a token text that `DecimalValue.description` gives back.
@Suite("JSON number tokens in one pass")
struct NumberTokenTests {
    static func classify(_ text: String) -> JSONToken.NumberToken {
        Array(text.utf8).withUnsafeBytes { JSONToken.number($0) }
    }

    /// What the three passes say about a token.
    static func reference(_ text: String) -> JSONToken.NumberToken {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { t in
            guard text.wholeMatch(of: /-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/) != nil else { return .notNumber }
            guard !text.contains(where: { $0 == "e" || $0 == "E" }), let d = DecimalValue(utf8: t),
                  d.description == text else { return .text }
            return .plain(d)
        }
    }

    @Test("generated tokens, valid and broken, classify as the grammar check and the parser do")
    func agreesWithReference() {
        var gen = PayloadGenerator(seed: 0x0DEC_1A55)
        var rng = SplitMix64(seed: 99)
        var plain = 0, text = 0, invalid = 0
        for _ in 0..<20_000 {
            var token = gen.jsonNumber()
            if rng.chance(0.25) {
                // Break it: drop, double or insert a character.
                var chars = Array(token)
                let k = rng.int(0...(chars.count - 1))
                switch rng.int(0...2) {
                case 0: chars.remove(at: k)
                case 1: chars.insert(chars[k], at: k)
                default: chars.insert(rng.pick(["0", ".", "-", "+", "e", "x"]), at: k)
                }
                token = String(chars)
            }
            if token.isEmpty { continue }
            let got = Self.classify(token)
            #expect(got == Self.reference(token), "token \(token)")
            switch got {
            case .plain: plain += 1
            case .text: text += 1
            case .notNumber: invalid += 1
            }
        }
        // Every outcome must be exercised, or the agreement proves little.
        #expect(plain > 5_000 && text > 1_000 && invalid > 500, "plain \(plain), text \(text), invalid \(invalid)")
    }

    @Test("edge tokens", arguments: [
        ("0", JSONToken.NumberToken.plain(DecimalValue(mantissa: 0, scale: 0))),
        ("-0", .text), ("-0.000", .text), ("-0.5", .plain(DecimalValue(mantissa: -5, scale: 1))),
        ("100.3170", .plain(DecimalValue(mantissa: 1_003_170, scale: 4))),
        ("123456789012345678", .plain(DecimalValue(mantissa: 123_456_789_012_345_678, scale: 0))),
        ("1234567890123456789", .text), ("9223372036854775808", .text),
        ("0.0000000000000000000000000000001", .text), ("1e3", .text), ("1.5E-2", .text),
        ("01", .notNumber), ("1.", .notNumber), (".5", .notNumber), ("-", .notNumber), ("+1", .notNumber),
        ("1e", .notNumber), ("1e+", .notNumber), ("--1", .notNumber), ("1.2.3", .notNumber),
    ])
    func edges(token: String, expected: JSONToken.NumberToken) {
        #expect(Self.classify(token) == expected)
        #expect(Self.reference(token) == expected)
        let isNumber = Array(token.utf8).withUnsafeBytes { JSONToken.isNumber($0) }
        #expect(isNumber == (expected != .notNumber))
    }
}

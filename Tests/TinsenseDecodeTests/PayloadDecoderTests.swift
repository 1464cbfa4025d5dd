import Testing
import TinsenseCore
import TinsenseDecode

@Suite("PayloadDecoder: shapes and values")
struct PayloadShapeTests {
    @Test("a flat object with value, ts, unit and quality decodes into one item")
    func flatObject() throws {
        let i = try #require(item(#"{"value": 7.14, "ts": "2026-11-27T03:37:11.250Z", "unit": "[pH]", "quality": "good"}"#))
        #expect(i == DecodedItem(value: number("7.14"), sourceTime: Timestamp(millisecondsSinceEpoch: 1_795_750_631_250),
                                 unit: "[pH]", quality: .good))
    }

    @Test("a value-only object leaves ts, unit and quality nil")
    func valueOnly() throws {
        let i = try #require(item(#"{"value":12}"#))
        #expect(i == DecodedItem(value: number("12")))
    }

    @Test("unknown keys are ignored")
    func unknownKeys() throws {
        let i = try #require(item(#"{"device":"crusher-2","seq":4411,"ok":true,"value":3.5,"n":null}"#))
        #expect(i.value == number("3.5"))
    }

    @Test("a plain number is one item with only a value")
    func plainNumber() throws {
        #expect(item("7.14") == DecodedItem(value: number("7.14")))
        #expect(item("-12") == DecodedItem(value: number("-12")))
        #expect(item("1.5e3") == DecodedItem(value: number("1500")))
        #expect(item("  \n 42.000\t") == DecodedItem(value: number("42.000")))
    }

    @Test("numbers keep their exact decimal text, trailing zeros and exponents")
    func exactNumbers() throws {
        let v = try #require(item(#"{"value":20.500}"#)).value
        guard case .number(let d) = v else { Issue.record("not a number: \(v)"); return }
        #expect(d.description == "20.500")
        #expect(d.mantissa == 20_500)
        #expect(item(#"{"value":-2.5E-2}"#)?.value == number("-0.025"))
        #expect(item(#"{"value":0}"#)?.value == number("0"))
        #expect(item(#"{"value":-0.0}"#)?.value == number("0.0"))
    }

    @Test("numeric strings are read as numbers")
    func numericStrings() {
        #expect(item(#"{"value":"12.50"}"#)?.value == number("12.50"))
        #expect(item(#"{"value":"-3"}"#)?.value == number("-3"))
        #expect(item(#"{"value":"1e2"}"#)?.value == number("100"))
    }

    @Test("NaN, Infinity and null (bare or quoted) become notANumber with the text seen", arguments: [
        (#"{"value":NaN}"#, "NaN"),
        (#"{"value":-NaN}"#, "-NaN"),
        (#"{"value":Infinity}"#, "Infinity"),
        (#"{"value":-Infinity}"#, "-Infinity"),
        (#"{"value":null}"#, "null"),
        (#"{"value":"NaN"}"#, "NaN"),
        (#"{"value":"nan"}"#, "nan"),
        (#"{"value":"inf"}"#, "inf"),
        (#"{"value":"+Infinity"}"#, "+Infinity"),
        ("NaN", "NaN"),
        ("-Infinity", "-Infinity"),
    ])
    func notANumber(payload: String, seen: String) {
        #expect(item(payload)?.value == .notANumber(seen))
    }

    @Test("booleans, nested values and non-numbers as value are malformed items", arguments: [
        (#"{"value":true}"#, "value is a boolean (true)"),
        (#"{"value":false}"#, "value is a boolean (false)"),
        (#"{"value":{"raw":1}}"#, "value is an object or array"),
        (#"{"value":[1,2]}"#, "value is an object or array"),
        (#"{"value":"abc"}"#, #"value "abc" is not a number"#),
        (#"{"value":" 12"}"#, #"value " 12" is not a number"#),
        (#"{"val":1}"#, #"object has no "value" field"#),
        (#"{}"#, #"object has no "value" field"#),
    ])
    func malformedValues(payload: String, detail: String) {
        #expect(itemFailure(payload) == DecodeFailure(.malformed, detail))
    }

    @Test("a number with more than 18 significant digits is malformed, with a reason saying so")
    func tooManyDigits() throws {
        let f = try #require(itemFailure(#"{"value":1234567890123456789}"#))
        #expect(f.reason == .malformed)
        #expect(f.detail.contains("more than 18 significant digits"))
        #expect(item(#"{"value":123456789012345678}"#)?.value == number("123456789012345678"))
        #expect(itemFailure("1e400")?.reason == .malformed)
    }

    @Test("unit: strings are kept (escapes and non-ASCII included), null is absent, others are malformed")
    func units() {
        #expect(item(#"{"value":1,"unit":"t/h"}"#)?.unit == "t/h")
        #expect(item(#"{"value":1,"unit":"m\u00b3/h"}"#)?.unit == "m³/h")
        #expect(item(#"{"value":1,"unit":"°C"}"#)?.unit == "°C")
        #expect(item(#"{"value":1,"unit":null}"#)?.unit == nil)
        #expect(itemFailure(#"{"value":1,"unit":5}"#) == DecodeFailure(.malformed, "unit is not a string"))
        #expect(itemFailure(#"{"value":1,"unit":true}"#) == DecodeFailure(.malformed, "unit is not a string"))
        #expect(itemFailure(#"{"value":1,"unit":["t"]}"#) == DecodeFailure(.malformed, "unit is not a string"))
    }
}

@Suite("PayloadDecoder: timestamps")
struct PayloadTimestampTests {
    @Test("ts as RFC 3339 text with Z or an offset")
    func rfc3339() {
        #expect(item(#"{"value":1,"ts":"2026-11-27T03:37:11.250Z"}"#)?.sourceTime == ms("2026-11-27T03:37:11.250Z"))
        #expect(item(#"{"value":1,"ts":"2026-11-27T05:37:11.250+02:00"}"#)?.sourceTime == ms("2026-11-27T03:37:11.250Z"))
        #expect(item(#"{"value":1,"ts":"2026-11-27 03:37:11Z"}"#)?.sourceTime == ms("2026-11-27T03:37:11Z"))
    }

    @Test("ts as epoch milliseconds, number or digit string")
    func epochMillis() {
        let t = Timestamp(millisecondsSinceEpoch: 1_700_000_000_123)
        #expect(item(#"{"value":1,"ts":1700000000123}"#)?.sourceTime == t)
        #expect(item(#"{"value":1,"ts":"1700000000123"}"#)?.sourceTime == t)
        #expect(item(#"{"value":1,"ts":1.700000000123e12}"#)?.sourceTime == t)
        // Epoch ms with a fraction keeps whole milliseconds.
        #expect(item(#"{"value":1,"ts":1700000000123.9}"#)?.sourceTime == t)
    }

    @Test("numbers below 10^11 are epoch seconds and may carry a fraction")
    func epochSeconds() {
        #expect(item(#"{"value":1,"ts":1700000000}"#)?.sourceTime == Timestamp(millisecondsSinceEpoch: 1_700_000_000_000))
        #expect(item(#"{"value":1,"ts":"1700000000"}"#)?.sourceTime == Timestamp(millisecondsSinceEpoch: 1_700_000_000_000))
        #expect(item(#"{"value":1,"ts":1700000000.5}"#)?.sourceTime == Timestamp(millisecondsSinceEpoch: 1_700_000_000_500))
        #expect(item(#"{"value":1,"ts":1700000000.123}"#)?.sourceTime == Timestamp(millisecondsSinceEpoch: 1_700_000_000_123))
        #expect(item(#"{"value":1,"ts":1764201431.25}"#)?.sourceTime == Timestamp(millisecondsSinceEpoch: 1_764_201_431_250))
        // Sub-millisecond digits are truncated.
        #expect(item(#"{"value":1,"ts":1700000000.1239}"#)?.sourceTime == Timestamp(millisecondsSinceEpoch: 1_700_000_000_123))
        #expect(item(#"{"value":1,"ts":0}"#)?.sourceTime == Timestamp(millisecondsSinceEpoch: 0))
        // 10^11 exactly is read as milliseconds.
        #expect(item(#"{"value":1,"ts":100000000000}"#)?.sourceTime == Timestamp(millisecondsSinceEpoch: 100_000_000_000))
        #expect(item(#"{"value":1,"ts":99999999999}"#)?.sourceTime == Timestamp(millisecondsSinceEpoch: 99_999_999_999_000))
    }

    @Test("integer epochs at the edges of Int64: read as Int64(_:) reads them, the rest refused or taken as decimals", arguments: [
        ("9223372036854775807", Int64.max), ("-9223372036854775808", Int64.min), ("-99999999999", -99_999_999_999_000),
        ("-1", -1_000), ("-0", 0), ("100000000001", 100_000_000_001),
    ])
    func epochEdges(text: String, expected: Int64) {
        #expect(item(#"{"value":1,"ts":\#(text)}"#)?.sourceTime == Timestamp(millisecondsSinceEpoch: expected))
    }

    @Test("an epoch beyond Int64 or with more than 18 digits is malformed, naming it", arguments: ["9223372036854775808", "-9223372036854775809", "123456789012345678901"])
    func epochOverflow(text: String) {
        #expect(itemFailure(#"{"value":1,"ts":\#(text)}"#) == DecodeFailure(.malformed, "ts \"\(text)\" is not epoch milliseconds or seconds"))
    }

    @Test("timestamp and time are accepted as names for ts; ts wins when several are present")
    func alternateNames() {
        let t = Timestamp(millisecondsSinceEpoch: 1_700_000_000_000)
        #expect(item(#"{"value":1,"timestamp":1700000000000}"#)?.sourceTime == t)
        #expect(item(#"{"value":1,"time":"2023-11-14T22:13:20Z"}"#)?.sourceTime == t)
        #expect(item(#"{"time":5,"value":1,"ts":1700000000000,"timestamp":7}"#)?.sourceTime == t)
        #expect(item(#"{"time":1700000000000,"value":1,"timestamp":"2023-11-14T22:13:20Z"}"#)?.sourceTime == t)
    }

    @Test("bad timestamps make the item malformed", arguments: [
        #"{"value":1,"ts":"2026-11-27T03:37:11"}"#,        // no zone
        #"{"value":1,"ts":"2026-02-30T00:00:00Z"}"#,       // impossible date
        #"{"value":1,"ts":"yesterday"}"#,
        #"{"value":1,"ts":""}"#,
        #"{"value":1,"ts":"17e11"}"#,
        #"{"value":1,"ts":"+1700000000"}"#,
        #"{"value":1,"ts":true}"#,
        #"{"value":1,"ts":null}"#,
        #"{"value":1,"ts":{"s":1}}"#,
        #"{"value":1,"ts":1e400}"#,
        #"{"value":1,"ts":99999999999999999999}"#,
    ])
    func badTimestamps(payload: String) {
        #expect(itemFailure(payload)?.reason == .malformed)
    }
}

@Suite("PayloadDecoder: quality")
struct PayloadQualityTests {
    @Test("quality names and numeric codes (number or string)", arguments: [
        (#""good""#, Quality.good), (#""GOOD""#, .good), (#""ok""#, .good), (#""uncertain""#, .uncertain),
        (#""bad""#, .bad), (#""stale""#, .stale),
        ("192", .good), (#""192""#, .good), ("500", .stale), ("0", .good),
        ("1073741824", .uncertain), ("2147483648", .bad), (#""2150891520""#, .bad),
    ])
    func qualities(json: String, expected: Quality) {
        #expect(item(#"{"value":1,"quality":"# + json + "}")?.quality == expected)
    }

    @Test("null quality is absent; unknown names, fractions, negatives and booleans are malformed")
    func badQualities() {
        #expect(item(#"{"value":1,"quality":null}"#)?.quality == nil)
        for q in [#""excellent""#, "1.5", "-1", "true", "[192]", #""-5""#] {
            #expect(itemFailure(#"{"value":1,"quality":"# + q + "}")?.reason == .malformed, "\(q)")
        }
    }
}

@Suite("PayloadDecoder: batches, limits and whitespace")
struct PayloadBatchTests {
    @Test("an array of objects gives one result per item, in order; one bad item fails alone")
    func batch() throws {
        let outcome = decode(#"[{"value":1,"ts":1700000000000},{"novalue":2},{"value":"NaN"},{"value":3.0,"unit":"bar"}]"#)
        guard case .items(let items) = outcome else { Issue.record("\(outcome)"); return }
        #expect(items.count == 4)
        #expect(items[0] == .success(DecodedItem(value: number("1"), sourceTime: Timestamp(millisecondsSinceEpoch: 1_700_000_000_000))))
        #expect(items[1] == .failure(DecodeFailure(.malformed, #"object has no "value" field"#)))
        #expect(items[2] == .success(DecodedItem(value: .notANumber("NaN"))))
        #expect(items[3] == .success(DecodedItem(value: number("3.0"), unit: "bar")))
    }

    @Test("a batch element that is not an object fails as that item")
    func batchNonObject() {
        let outcome = decode(#"[{"value":1}, 2, "x"]"#)
        guard case .items(let items) = outcome else { Issue.record("\(outcome)"); return }
        #expect(items.count == 3)
        #expect(items[0] == .success(DecodedItem(value: number("1"))))
        #expect(items[1] == .failure(DecodeFailure(.malformed, "batch item 1 is not an object")))
        #expect(items[2] == .failure(DecodeFailure(.malformed, "batch item 2 is not an object")))
    }

    @Test("an empty batch is malformed")
    func emptyBatch() {
        #expect(payloadFailure("[]") == DecodeFailure(.malformed, "empty batch"))
        #expect(payloadFailure(" [ \n ] ") == DecodeFailure(.malformed, "empty batch"))
    }

    @Test("a payload larger than max_payload_bytes is too_large; exactly the limit is fine")
    func payloadTooLarge() {
        let payload = #"{"value":1.25}"#   // 14 bytes
        let exact = DecodeLimits(maxPayloadBytes: payload.utf8.count, maxBatch: 10)
        let under = DecodeLimits(maxPayloadBytes: payload.utf8.count - 1, maxBatch: 10)
        #expect(item(payload) != nil)
        #expect(single(decode(payload, limits: exact)) == .success(DecodedItem(value: number("1.25"))))
        let f = payloadFailure(payload, limits: under)
        #expect(f?.reason == .tooLarge)
        #expect(f?.detail.contains("\(payload.utf8.count) bytes") == true)
        // Checked before parsing: even garbage is too_large, not malformed.
        #expect(payloadFailure(String(repeating: "x", count: 100), limits: DecodeLimits(maxPayloadBytes: 50))?.reason == .tooLarge)
    }

    @Test("a batch longer than max_batch is too_large; exactly max_batch is fine (both parser paths)")
    func batchTooLarge() {
        let three = #"[{"value":1},{"value":2},{"value":3}]"#
        let threeEscaped = #"[{"value":1},{"value":2,"note":"\u00e9"},{"value":3}]"#
        for text in [three, threeEscaped] {
            guard case .items(let items) = decode(text, limits: DecodeLimits(maxBatch: 3)) else {
                Issue.record("not items: \(text)"); continue
            }
            #expect(items.count == 3)
            let f = payloadFailure(text, limits: DecodeLimits(maxBatch: 2))
            #expect(f?.reason == .tooLarge)
            #expect(f?.detail.contains("batch of 3 items") == true)
        }
    }

    @Test("whitespace (space, tab, CR, LF) is allowed around every token")
    func whitespace() {
        let text = " \t\r\n{ \"value\" :\t12.5 ,\n\"unit\"\r\n: \"bar\" }\n\n"
        #expect(item(text) == DecodedItem(value: number("12.5"), unit: "bar"))
        #expect(decode("\n[\t{\"value\":1} ,\r\n{ \"value\" : 2 }\t]\n") == .items([
            .success(DecodedItem(value: number("1"))), .success(DecodedItem(value: number("2"))),
        ]))
    }

    @Test("empty and blank payloads are malformed")
    func emptyPayload() {
        #expect(payloadFailure("") == DecodeFailure(.malformed, "empty payload"))
        #expect(payloadFailure("   ")?.reason == .malformed)
        #expect(payloadFailure("\n")?.reason == .malformed)
    }

    @Test("top-level strings, booleans and null are malformed payloads", arguments: [
        (#""12.5""#, "payload is a JSON string, not an object, array or number"),
        ("true", "payload is a JSON boolean, not an object, array or number"),
        ("null", "payload is a JSON null, not an object, array or number"),
    ])
    func topLevelScalars(payload: String, detail: String) {
        #expect(payloadFailure(payload) == DecodeFailure(.malformed, detail))
    }

    @Test("invalid JSON is malformed", arguments: [
        "{", "}", #"{"value":1"#, #"{"value" 1}"#, #"{value:1}"#, "{'value':1}",
        #"{"value":01}"#, #"{"value":+1}"#, #"{"value":1.}"#, #"{"value":.5}"#, #"{"value":1}}"#,
        #"{"value":1} x"#, "abc", "12 13", "--1", #"[{"value":1}"#, #"{"value":inf}"#,
        #"{"value":"abc}"#, "\u{0C}1",
    ])
    func invalidJSON(payload: String) {
        #expect(payloadFailure(payload)?.reason == .malformed)
    }

    @Test("the raw-buffer entry point agrees with the array entry point")
    func entryPoints() {
        for text in [#"{"value":1}"#, "[]", "x", #"[{"value":"\u00e9"}]"#] {
            let bytes = Array(text.utf8)
            let viaBuffer = bytes.withUnsafeBytes { PayloadDecoder.decode($0) }
            #expect(viaBuffer == PayloadDecoder.decode(bytes))
        }
    }

    @Test("flat ASCII payloads take the scanner path; escapes, non-ASCII and nesting take Foundation")
    func pathChoice() {
        #expect(decode(#"{"value":1,"unit":"bar"}"#, path: nil).1 == .scanner)
        #expect(decode(#"[{"value":1},{"value":NaN}]"#, path: nil).1 == .scanner)
        #expect(decode("  7.5 ", path: nil).1 == .scanner)
        #expect(decode(#"{"value":1,"unit":"b\"ar"}"#, path: nil).1 == .foundation)
        #expect(decode(#"{"value":1,"unit":"°C"}"#, path: nil).1 == .foundation)
        #expect(decode(#"{"value":1,"extra":{"a":1}}"#, path: nil).1 == .foundation)
        #expect(decode(#"{"value":1,"unit":"b\"ar"}"#, path: nil).0 == .items([.success(DecodedItem(value: number("1"), unit: "b\"ar"))]))
        // Forcing Foundation on a flat payload gives the same outcome.
        let flat = #"{"value":2.50,"ts":"2026-01-01T00:00:00Z","quality":192}"#
        let (viaScanner, p1) = decode(flat, path: nil)
        let (viaFoundation, p2) = decode(flat, path: .foundation)
        #expect(p1 == .scanner)
        #expect(p2 == .foundation)
        #expect(viaScanner == viaFoundation)
    }

    @Test("escaped strings decode to their characters on the Foundation path")
    func escapes() {
        #expect(item(#"{"value":1,"unit":"a\\b\/c\n\t\u00e9\ud83d\ude00"}"#)?.unit == "a\\b/c\n\té😀")
        // An escaped key names the same field.
        #expect(item(#"{"val\u0075e":4}"#)?.value == number("4"))
    }
}

@Suite("PayloadDecoder: known bugs")
struct PayloadDecoderBugTests {
    @Test("a string that starts with U+F8FF '#' is still a string, not a number")
    func markerCollision() {
        // Expected: the value is the string "\u{F8FF}#12", which is not a number → malformed.
        #expect(itemFailure(#"{"value":"\uF8FF#12"}"#)?.reason == .malformed)
        // Expected: a unit string with that prefix is kept as text.
        #expect(item(#"{"value":1,"unit":"\uF8FF#5"}"#)?.unit == "\u{F8FF}#5")
        #expect(item("{\"value\":1,\"unit\":\"\u{F8FF}#5\"}")?.unit == "\u{F8FF}#5")
    }

    @Test("a ts just below 2^63 written with a fraction or exponent does not crash the decoder")
    func hugeEpochDoesNotTrap() async {
        await #expect(processExitsWith: .success) {
            _ = PayloadDecoder.decode(Array(#"{"value":1,"ts":9.2233720368547758e18}"#.utf8))
        }
    }
}

import Testing
import TinsenseCore
import TinsenseDecode

/// What a broken or hostile device can send: each case is refused with a reason (or kept as
/// written), never a crash, never work beyond linear in the payload.
@Suite("Line protocol, hostile input")
struct LineProtocolHostileTests {
    @Test("malformed lines name what is wrong", arguments: [
        (#"m s="unterminated"#, #"line 1: string value of field "s" has no closing quote"#),
        (#"m s="a"b,v=1"#, #"line 1: text right after the closing quote of field "s""#),
        (#"m s="ends in backslash\"#, #"line 1: string value of field "s" has no closing quote"#),
        ("m", #"line 1: measurement "m" has no fields"#),
        ("m ", #"line 1: measurement "m" has no fields"#),
        ("m,t=1", #"line 1: measurement "m" has no fields"#),
        (" v=1", #"line 1: measurement "v=1" has no fields"#),
        (",t=1 v=1", "line 1: empty measurement"),
        ("m,=1 v=1", #"line 1: empty tag key after measurement "m""#),
        ("m,t v=1", #"line 1: tag key "t" has no '=value'"#),
        ("m,t= v=1", #"line 1: tag "t" has an empty value"#),
        ("m,t=1,t=2 v=1", #"line 1: tag "t" appears twice"#),
        ("m v=1,v=2", #"line 1: field "v" appears twice"#),
        ("m =1", "line 1: empty field key"),
        ("m v=", #"line 1: field "v" has no value"#),
        ("m v=,w=1", #"line 1: field "v" has no value"#),
        ("m v=1,", "line 1: empty field key"),
        ("m v=1 12x", #"line 1: timestamp "12x" is not an integer"#),
        ("m v=1 1 2", "line 1: unexpected text after the timestamp"),
        ("m v=1 -", #"line 1: timestamp "-" is not an integer"#),
        ("m v=1 99999999999999999999", "line 1: timestamp is out of the 64-bit range"),
        ("m v=1 -9223372036854775809", "line 1: timestamp is out of the 64-bit range"),
    ])
    func malformed(text: String, detail: String) {
        #expect(lpResults(text) == [.failure(DecodeFailure(.malformed, detail))])
    }

    @Test("a field key that starts with a combining mark keeps its measurement/field metric (FuzzLineProtocol crash-395ab80a: the harness looked for the '/' by Character, where it joins the mark into one grapheme)")
    func combiningMarkFieldKey() {
        let bytes: [UInt8] = [0x23, 0x20, 0x67, 0x61, 0x74, 0x65, 0x57, 0x61, 0x79, 0x0d, 0x0a, 0x63, 0x72, 0x75, 0x73, 0x68, 0x3d, 0x6a, 0x61, 0x77, 0x31, 0x20, 0xcc, 0xa3, 0x2d, 0x32, 0x72, 0x3d, 0x37, 0x35, 0x2e, 0x32, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x0d, 0x0a, 0x62, 0x61, 0x64, 0x20, 0x0a, 0x62, 0x61, 0x64, 0x20, 0x76, 0x0a, 0x0a, 0x6d, 0x20, 0x76, 0x3d, 0x34, 0x0a, 0x6d, 0x23, 0x20, 0x76, 0x3d, 0x33, 0x34, 0x75, 0x0a]
        let results = bytes.withUnsafeBytes { LineProtocolDecoder.decode($0, precision: .nanoseconds, limits: DecodeLimits(maxPayloadBytes: 1 << 20, maxBatch: 64)) }
        guard case .items(let items) = results else { Issue.record("not decoded as line protocol: \(results)"); return }
        let metrics = items.compactMap { try? $0.get().metric }
        #expect(metrics.contains("crush=jaw1/\u{0323}-2r"), "\(metrics)")
        for metric in metrics { #expect(metric.utf8.contains(UInt8(ascii: "/")), "\(metric)") }
    }

    @Test("a lone backslash at the end of a line is an ordinary character; an escaped space is part of the name")
    func trailingBackslash() {
        #expect(lpResults("m,t=x\\") == [.failure(DecodeFailure(.malformed, #"line 1: measurement "m" has no fields"#))])
        #expect(lpResults("m v=1\\") == [.failure(DecodeFailure(.malformed, #"line 1: field "v" value "1\" is not a number"#))])
        #expect(lpResults(#"m\ v=1"#) == [.failure(DecodeFailure(.malformed, #"line 1: measurement "m v=1" has no fields"#))])
        #expect(lpItems(#"m\\ v=1"#).first?.metric == #"m\/v"#)
        #expect(lpItems(#"m,t=x\\ v\\=1"#).first == DecodedItem(value: number("1"), metric: #"m/v\"#, tags: ["t": #"x\"#]))
    }

    @Test("numbers that overflow are refused alone, naming the field", arguments: [
        ("99999999999999999999i", #"line 1: field "v" integer "99999999999999999999"i is not a 64-bit integer"#),
        ("-9223372036854775809i", #"line 1: field "v" integer "-9223372036854775809"i is not a 64-bit integer"#),
        ("9223372036854775808u", #"line 1: field "v" unsigned "9223372036854775808"u is not an integer below 2^63"#),
        ("-1u", #"line 1: field "v" unsigned "-1"u is not an integer below 2^63"#),
        ("1.23456789012345678901", #"line 1: field "v" value "1.23456789012345678901" has more than 18 significant digits or is out of range"#),
        ("1e999", #"line 1: field "v" value "1e999" has more than 18 significant digits or is out of range"#),
        ("12x", #"line 1: field "v" value "12x" is not a number"#),
        (#"12"3"#, #"line 1: field "v" value "12"3" is not a number"#),
        ("i", #"line 1: field "v" integer ""i is not a 64-bit integer"#),
    ])
    func overflow(text: String, detail: String) throws {
        let results = lpResults("m v=\(text),ok=1")
        #expect(results.count == 2)
        #expect(results[0] == .failure(DecodeFailure(.malformed, detail)))
        #expect(try results[1].get().metric == "m/ok")
    }

    @Test("a timestamp that fits 64 bits but not in milliseconds is refused with its line")
    func timestampOverflowInMilliseconds() {
        #expect(lpResults("m v=1 9223372036854775807", precision: .seconds)
            == [.failure(DecodeFailure(.malformed, "line 1: timestamp 9223372036854775807 s is out of range in milliseconds"))])
        #expect(lpItems("m v=1 9223372036854775807").first?.sourceTime == Timestamp(millisecondsSinceEpoch: 9_223_372_036_854))
    }

    @Test("non-UTF-8 bytes in a name, tag or value refuse that line only")
    func nonUTF8() throws {
        let bytes: [UInt8] = Array("ok v=1\n".utf8) + [0x6D, 0xFF, 0x20] + Array("v=1\nm,t=".utf8) + [0xC3] + Array(" v=1\nm v=".utf8) + [0xFE]
        guard case .items(let results) = LineProtocolDecoder.decode(bytes) else {
            Issue.record("refused as a whole")
            return
        }
        #expect(results.count == 4)
        #expect(try results[0].get().metric == "ok/v")
        #expect(results[1] == .failure(DecodeFailure(.malformed, "line 2: measurement is not valid UTF-8")))
        #expect(results[2] == .failure(DecodeFailure(.malformed, #"line 3: value of tag "t" is not valid UTF-8"#)))
        #expect(results[3] == .failure(DecodeFailure(.malformed, #"line 4: value of field "v" is not valid UTF-8"#)))
    }

    @Test("names, tag values, values, tag counts and lines have named limits")
    func limits() {
        let long = String(repeating: "k", count: LineProtocolLimits.maxNameBytes + 1)
        #expect(lpResults("\(long) v=1") == [.failure(DecodeFailure(.tooLarge, "line 1: measurement is longer than 256 bytes"))])
        #expect(lpResults("m,\(long)=1 v=1") == [.failure(DecodeFailure(.tooLarge, "line 1: tag key is longer than 256 bytes"))])
        #expect(lpResults("m,t=\(long) v=1") == [.failure(DecodeFailure(.tooLarge, #"line 1: value of tag "t" is longer than 256 bytes"#))])
        #expect(lpResults("m \(long)=1") == [.failure(DecodeFailure(.tooLarge, "line 1: field key is longer than 256 bytes"))])
        #expect(lpResults("m v=\(String(repeating: "1", count: 65))") == [.failure(DecodeFailure(.tooLarge, #"line 1: value of field "v" is longer than 64 bytes"#))])
        let tags = (0...LineProtocolLimits.maxTags).map { "t\($0)=x" }.joined(separator: ",")
        #expect(lpResults("m,\(tags) v=1") == [.failure(DecodeFailure(.tooLarge, "line 1: more than 32 tags"))])
        let big = DecodeLimits(maxPayloadBytes: 1 << 20, maxBatch: 1000)
        let line = "m s=\"" + String(repeating: "x", count: LineProtocolLimits.maxLineBytes) + "\""
        #expect(lpResults(line + "\nm v=1", limits: big).first == .failure(DecodeFailure(.tooLarge, "line 1: longer than 65536 bytes")))
        #expect(lpResults(line + "\nm v=1", limits: big).count == 2)
    }

    @Test("fields and bad lines count against max_batch; beyond it the whole message is too large")
    func maxBatch() {
        let limits = DecodeLimits(maxPayloadBytes: 1 << 20, maxBatch: 4)
        #expect(lpResults("m a=1,b=2\nm c=3,d=4", limits: limits).count == 4)
        let over = DecodeFailure(.tooLarge, "more than max_batch = 4 fields and bad lines in one line-protocol message")
        #expect(lp("m a=1,b=2\nm c=3,d=4,e=5", limits: limits) == .failure(over))
        #expect(lp("m a=1,b=2,c=3,d=4\nbad", limits: limits) == .failure(over))
        #expect(lp("x\nx\nx\nx\nx", limits: limits) == .failure(over))
    }

    @Test("a million commas cost one pass and give one refusal per line", arguments: [
        "m" + String(repeating: ",", count: 1_000_000) + " v=1",
        "m v=1" + String(repeating: ",", count: 1_000_000),
        "m,t=" + String(repeating: "\\,", count: 500_000) + " v=1",
        "m s=\"" + String(repeating: ",", count: 1_000_000) + "\"",
        String(repeating: ",", count: 1_000_000),
    ])
    func millionCommas(text: String) {
        let limits = DecodeLimits(maxPayloadBytes: 4 << 20, maxBatch: 1000)
        let clock = ContinuousClock()
        var outcome: PayloadDecoder.Outcome?
        let elapsed = clock.measure { outcome = lp(text, limits: limits) }
        guard case .items(let results)? = outcome else {
            Issue.record("refused as a whole: \(String(describing: outcome))")
            return
        }
        #expect(results.count == 1)
        #expect((try? results[0].get()) == nil)
        #expect(elapsed < .seconds(5))
    }

    @Test("a million lines of fields stop at max_batch without parsing the rest")
    func millionLines() {
        let text = String(repeating: "m v=1\n", count: 1_000_000)
        #expect(lp(text, limits: DecodeLimits(maxPayloadBytes: 8 << 20, maxBatch: 1000))
            == .failure(DecodeFailure(.tooLarge, "more than max_batch = 1000 fields and bad lines in one line-protocol message")))
    }
}

import Testing
import TinsenseCore
import TinsenseDecode

@Suite("Line protocol")
struct LineProtocolDecoderTests {
    @Test("each field is one item: metric measurement/field, the line's tags, its timestamp in ms")
    func fieldsBecomeItems() {
        let items = lpItems("flotation,cell=c3,line=L1 ph=7.14,level_pct=62.5 1767225600123456789")
        #expect(items.count == 2)
        #expect(items[0] == DecodedItem(value: number("7.14"), sourceTime: Timestamp(millisecondsSinceEpoch: 1_767_225_600_123),
                                        metric: "flotation/ph", tags: ["cell": "c3", "line": "L1"]))
        #expect(items[1].metric == "flotation/level_pct" && items[1].value == number("62.5"))
    }

    @Test("many lines per message; \\r\\n, blank and # comment lines are tolerated")
    func manyLines() {
        let items = lpItems("# from the PLC gateway\r\na v=1\r\n\r\n   \n  # indented comment\nb v=2\nc v=3")
        #expect(items.map(\.metric) == ["a/v", "b/v", "c/v"])
    }

    @Test("no timestamp: no source time, so validation takes the receive time as for JSON without ts")
    func noTimestamp() {
        #expect(lpItems("m v=1").first?.sourceTime == nil)
        #expect(lpItems("m v=1   ").first?.sourceTime == nil)
    }

    @Test("precision sets the timestamp unit; sub-millisecond digits are cut toward the past", arguments: [
        (TimestampPrecision.nanoseconds, "1767225600123999999", Int64(1_767_225_600_123)),
        (.microseconds, "1767225600123999", 1_767_225_600_123),
        (.milliseconds, "1767225600123", 1_767_225_600_123),
        (.seconds, "1767225600", 1_767_225_600_000),
        (.nanoseconds, "-1", -1),
        (.microseconds, "-1001", -2),
    ])
    func precision(precision: TimestampPrecision, raw: String, ms: Int64) {
        #expect(lpItems("m v=1 \(raw)", precision: precision).first?.sourceTime == Timestamp(millisecondsSinceEpoch: ms))
    }

    @Test("field types: floats with exponent, 12i, 12u, booleans as 1 and 0", arguments: [
        ("1.5", "1.5"), ("-2", "-2"), ("1e3", "1000"), ("2.5E-2", "0.025"), ("+4", "4"), (".5", "0.5"), ("3.", "3.0"), ("007.5", "7.5"),
        ("12i", "12"), ("12u", "12"),
        ("t", "1"), ("T", "1"), ("true", "1"), ("True", "1"), ("TRUE", "1"), ("f", "0"), ("F", "0"), ("false", "0"), ("False", "0"), ("FALSE", "0"),
    ])
    func fieldTypes(text: String, expected: String) {
        #expect(lpItems("m v=\(text)").first?.value == number(expected))
    }

    @Test("integers keep the whole 64-bit range (more digits than a decimal text may have)")
    func integerExtremes() {
        #expect(lpItems("m v=-9223372036854775808i").first?.value == .number(DecimalValue(mantissa: Int64.min, scale: 0)))
        #expect(lpItems("m v=9223372036854775807u").first?.value == .number(DecimalValue(mantissa: Int64.max, scale: 0)))
    }

    @Test("NaN and inf are not a number (validation quarantines them as nan)", arguments: ["NaN", "nan", "inf", "-inf", "+Inf", "Infinity"])
    func notANumber(text: String) {
        #expect(lpItems("m v=\(text)").first?.value == .notANumber(text))
    }

    @Test("a string field is refused alone, naming its field; the line's other fields are kept")
    func stringField() throws {
        let results = lpResults(#"crusher,unit=jaw1 power=75.2,state="running, ok",current=120i"#)
        #expect(results.count == 3)
        #expect(try results[0].get().metric == "crusher/power")
        #expect(results[1] == .failure(DecodeFailure(.malformed, #"line 1: field "state" of "crusher" is a string, not a reading"#)))
        #expect(try results[2].get().value == number("120"))
    }

    @Test("escapes: measurement comma and space; tag keys, values and field keys comma, equals and space")
    func escapes() {
        let item = lpItems(#"my\ meas\,ure,tag\ k\=1=v\,a\ l\=ue field\=k\ ey\,=1"#).first
        #expect(item?.metric == "my meas,ure/field=k ey,")
        #expect(item?.tags == ["tag k=1": "v,a l=ue"])
    }

    @Test("a backslash before any other character is itself, two are one; an = in the measurement or a tag value is literal")
    func literalBackslash() {
        let item = lpItems(#"a\b\\c=d,t=x\y=z v\q=1"#).first
        #expect(item?.metric == #"a\b\c=d/v\q"#)
        #expect(item?.tags == ["t": #"x\y=z"#])
    }

    @Test("string values may hold escaped quotes and backslashes, commas, spaces and = (and are still not readings)")
    func stringEscapes() throws {
        let results = lpResults(#"m s="a \"q\" \\ , = x",v=2"#)
        #expect(results.count == 2)
        #expect(try results[1].get().value == number("2"))
    }

    @Test("tag order never changes an item's identity")
    func tagOrder() {
        #expect(lpItems("m,a=1,b=2 v=1").first?.tags == lpItems("m,b=2,a=1 v=1").first?.tags)
    }

    @Test("a bad line is one failed item with its line number; the message's other lines are kept")
    func badLineAlone() throws {
        let results = lpResults("good v=1\nbad v\nalso_good w=2,x=3\n\n,no_measurement v=1")
        #expect(results.count == 5)
        #expect(try results[0].get().metric == "good/v")
        #expect(results[1] == .failure(DecodeFailure(.malformed, #"line 2: field "v" has no '=value'"#)))
        #expect(try results[2].get().metric == "also_good/w")
        #expect(try results[3].get().metric == "also_good/x")
        #expect(results[4] == .failure(DecodeFailure(.malformed, "line 5: empty measurement")))
    }

    @Test("a message of only blank and comment lines is refused as a whole")
    func onlyComments() {
        #expect(lp("# nothing\n\n  \n") == .failure(DecodeFailure(.malformed, "no line-protocol lines (only blank or comment lines)")))
    }

    @Test("through MessageDecoder with format influx and auto, with the entry's precision")
    func throughMessageDecoder() {
        var decoder = MessageDecoder(limits: DecodeLimits())
        let text = Array("m,c=1 v=1.5 1767225600".utf8)
        let t0 = Timestamp(millisecondsSinceEpoch: 0)
        let influx = decoder.decode(topic: "p/lp", payload: text, format: PayloadFormat(.influx, precision: .seconds), receiveTime: t0)
        let auto = decoder.decode(topic: "p/lp", payload: text, format: PayloadFormat(.auto, precision: .seconds), receiveTime: t0)
        #expect(influx == auto)
        #expect(influx == lp("m,c=1 v=1.5 1767225600", precision: .seconds))
    }
}

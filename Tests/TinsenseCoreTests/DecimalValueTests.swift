import Testing
import TinsenseCore

@Suite("DecimalValue parsing and printing")
struct DecimalValueTests {
    @Test("plain integers and fractions keep mantissa and scale", arguments: [
        ("0", Int64(0), UInt8(0)),
        ("7", 7, 0),
        ("12.5", 125, 1),
        ("12.50", 1250, 2),
        ("0.001", 1, 3),
        ("100", 100, 0),
        ("123456789.123456789", 123_456_789_123_456_789, 9),
    ])
    func parsesPlain(text: String, mantissa: Int64, scale: UInt8) throws {
        let v = try #require(DecimalValue(text))
        #expect(v.mantissa == mantissa)
        #expect(v.scale == scale)
    }

    @Test("trailing zeros carry the instrument's resolution and are printed back")
    func trailingZerosKept() throws {
        for text in ["1.0", "1.00", "1.000", "0.50", "20.000", "0.0"] {
            let v = try #require(DecimalValue(text))
            #expect(v.description == text)
        }
        #expect(DecimalValue("1.0") != DecimalValue("1.00"))
    }

    @Test("negative values parse and print with a leading minus")
    func negatives() throws {
        let v = try #require(DecimalValue("-3.25"))
        #expect(v.mantissa == -325)
        #expect(v.scale == 2)
        #expect(v.description == "-3.25")
        #expect(DecimalValue("-0.05")?.description == "-0.05")
        #expect(DecimalValue("-0.05")?.mantissa == -5)
        #expect(DecimalValue("-17")?.description == "-17")
    }

    @Test("negative zero is kept as zero")
    func negativeZero() throws {
        let z = try #require(DecimalValue("-0"))
        #expect(z.mantissa == 0)
        #expect(z.description == "0")
        #expect(DecimalValue("-0.00")?.description == "0.00")
    }

    @Test("exponent notation becomes the exact equal plain decimal", arguments: [
        ("1.5e3", "1500"),
        ("1.5E3", "1500"),
        ("1.5e+3", "1500"),
        ("15e-1", "1.5"),
        ("1e-5", "0.00001"),
        ("-2.50e1", "-25.0"),
        ("1.25e1", "12.5"),
        ("0e5", "0"),
        ("123e0", "123"),
    ])
    func exponents(text: String, plain: String) throws {
        let v = try #require(DecimalValue(text))
        #expect(v.description == plain)
        #expect(v == DecimalValue(plain))
    }

    @Test("an exponent may produce more than 18 digits of plain text as long as the value fits Int64")
    func exponentBeyondEighteenPlainDigits() throws {
        // 1e18 has one significant digit; its plain form has 19 digits and is itself rejected.
        let v = try #require(DecimalValue("1e18"))
        #expect(v.mantissa == 1_000_000_000_000_000_000)
        #expect(v.description == "1000000000000000000")
        #expect(DecimalValue(v.description) == nil)
    }

    @Test("18 significant digits are accepted, 19 or more are rejected")
    func digitLimit() throws {
        let eighteen = String(repeating: "9", count: 18)
        let v = try #require(DecimalValue(eighteen))
        #expect(v.mantissa == 999_999_999_999_999_999)
        #expect(DecimalValue(eighteen + "9") == nil)
        #expect(DecimalValue("1." + String(repeating: "0", count: 17)) != nil)
        #expect(DecimalValue("1." + String(repeating: "0", count: 18)) == nil)
        #expect(DecimalValue("0." + String(repeating: "1", count: 18)) != nil)
        #expect(DecimalValue("0." + String(repeating: "1", count: 19)) == nil)
        #expect(DecimalValue("-" + String(repeating: "1", count: 19)) == nil)
        #expect(DecimalValue("12345678901234567890") == nil)
        // Leading zeros after the point are not significant.
        let small = try #require(DecimalValue("0.000000000123456789"))
        #expect(small.mantissa == 123_456_789)
        #expect(small.scale == 18)
    }

    @Test("values whose exact form does not fit are rejected")
    func overflowRejected() {
        #expect(DecimalValue("1e19") == nil)           // > Int64.max
        #expect(DecimalValue("9.99e18") == nil)        // fits UInt64, not Int64
        #expect(DecimalValue("1e400") == nil)
        #expect(DecimalValue("1e1000") == nil)
        #expect(DecimalValue("1e-31") == nil)          // scale beyond maxScale
        #expect(DecimalValue("1e-30")?.scale == 30)
    }

    @Test("text that is not a JSON number is rejected", arguments: [
        "", "-", "+1", ".5", "1.", "01", "-01", "1e", "1e+", "1.5.2", "1,5", " 1", "1 ",
        "abc", "NaN", "Infinity", "-Infinity", "0x10", "1_000", "--1", "1-", "e5", "1.e3",
    ])
    func rejectsNonNumbers(text: String) {
        #expect(DecimalValue(text) == nil)
    }

    @Test("the byte-level parser agrees with the string parser")
    func utf8EntryPoint() {
        for text in ["12.50", "-1e3", "0", "1.", "abc", "1e-30"] {
            let viaBytes = Array(text.utf8).withUnsafeBytes { DecimalValue(utf8: $0) }
            #expect(viaBytes == DecimalValue(text))
        }
    }

    @Test("parses from a Substring")
    func substring() {
        let s = "value=42.10;"
        let sub = s.dropFirst(6).dropLast()
        #expect(DecimalValue(sub)?.description == "42.10")
    }

    @Test("doubleValue is the nearest Double")
    func doubleValue() throws {
        #expect(try #require(DecimalValue("12.50")).doubleValue == 12.5)
        #expect(try #require(DecimalValue("-0.001")).doubleValue == -0.001)
        #expect(try #require(DecimalValue("1500")).doubleValue == 1500)
        #expect(try #require(DecimalValue("0.1")).doubleValue == 0.1)
        #expect(try #require(DecimalValue("3.14159")).doubleValue == 3.14159)
        // Beyond 10^22 the divisor is no longer exact: allow one ulp.
        let tiny = try #require(DecimalValue("1e-25")).doubleValue
        #expect(abs(tiny - 1e-25) <= 1e-25.ulp)
        #expect(DecimalValue(mantissa: 5, scale: 0).doubleValue == 5)
    }

    @Test("doubleValue is correctly rounded when mantissa and power of ten are exact doubles")
    func doubleValueCorrectlyRounded() {
        var rng = SplitMix64(seed: 0xD0B1E)
        for _ in 0..<2000 {
            let m = Int64.random(in: -(1 << 53)...(1 << 53), using: &rng)
            let s = UInt8.random(in: 0...22, using: &rng)
            let v = DecimalValue(mantissa: m, scale: s)
            // Swift's own decimal-text parser is correctly rounded.
            #expect(v.doubleValue == Double(v.description)!, "\(v)")
        }
    }

    @Test("memberwise init and description pad with leading zeros")
    func memberwise() {
        #expect(DecimalValue(mantissa: 5, scale: 3).description == "0.005")
        #expect(DecimalValue(mantissa: -5, scale: 3).description == "-0.005")
        #expect(DecimalValue(mantissa: 12345, scale: 2).description == "123.45")
        #expect(DecimalValue(mantissa: 0, scale: 2).description == "0.00")
        #expect(DecimalValue(mantissa: 100, scale: 2).description == "1.00")
    }

    @Test("printing and reparsing random values is lossless")
    func roundTrip() throws {
        var rng = SplitMix64(seed: 0xDEC1)
        for _ in 0..<2000 {
            let m = Int64(bitPattern: rng.next()) % 1_000_000_000_000_000_000
            let s = UInt8(rng.next() % 19)
            let v = DecimalValue(mantissa: m, scale: s)
            let back = try #require(DecimalValue(v.description), "\(v)")
            #expect(back == v)
        }
    }
}

import Testing
import TinsenseCore

@Suite("RFC 3339 timestamps")
struct RFC3339Tests {
    private func ms(_ text: String, allowMissingZone: Bool = false) -> Int64? {
        RFC3339.parse(text, allowMissingZone: allowMissingZone)?.millisecondsSinceEpoch
    }

    @Test("the epoch and a known instant parse to the right milliseconds")
    func knownInstants() {
        #expect(ms("1970-01-01T00:00:00Z") == 0)
        #expect(ms("2000-01-01T00:00:00Z") == 946_684_800_000)
        #expect(ms("2026-11-27T03:37:11.250Z") == 1_795_750_631_250)
        #expect(ms("1969-12-31T23:59:59Z") == -1000)
        #expect(ms("1969-12-31T23:59:59.999Z") == -1)
    }

    @Test("zone offsets are subtracted, with or without a colon")
    func offsets() {
        let utc = ms("2024-03-10T12:00:00Z")!
        #expect(ms("2024-03-10T14:00:00+02:00") == utc)
        #expect(ms("2024-03-10T14:00:00+0200") == utc)
        #expect(ms("2024-03-10T06:30:00-05:30") == utc)
        #expect(ms("2024-03-10T06:30:00-0530") == utc)
        #expect(ms("2024-03-10T12:00:00+00:00") == utc)
        #expect(ms("2024-03-10T12:00:00-00:00") == utc)
        #expect(ms("2024-03-11T01:45:00+13:45") == utc)
        // An offset crossing midnight backwards.
        #expect(ms("2024-03-09T23:00:00-13:00") == utc)
    }

    @Test("T and Z may be lowercase and a space may stand for T")
    func caseAndSeparator() {
        let utc = ms("2024-03-10T12:00:00Z")!
        #expect(ms("2024-03-10t12:00:00z") == utc)
        #expect(ms("2024-03-10 12:00:00Z") == utc)
        #expect(ms("2024-03-10 12:00:00+01:00") == utc - 3_600_000)
    }

    @Test("fractions of 1 to 9 digits are read and truncated to milliseconds", arguments: [
        ("5", Int64(500)),
        ("25", 250),
        ("125", 125),
        ("1259", 125),
        ("12599", 125),
        ("999999", 999),
        ("0019999", 1),
        ("12345678", 123),
        ("123456789", 123),
        ("000000001", 0),
    ])
    func fractions(fraction: String, millis: Int64) {
        let base = ms("2024-01-01T00:00:00Z")!
        #expect(ms("2024-01-01T00:00:00.\(fraction)Z") == base + millis)
        #expect(ms("2024-01-01T00:00:00.\(fraction)+00:00") == base + millis)
    }

    @Test("a comma may separate the fraction; an empty fraction is rejected")
    func fractionSeparators() {
        #expect(ms("2024-01-01T00:00:00,5Z") == ms("2024-01-01T00:00:00.500Z"))
        #expect(ms("2024-01-01T00:00:00.Z") == nil)
        #expect(ms("2024-01-01T00:00:00.") == nil)
    }

    @Test("leap days exist only in leap years")
    func leapYears() {
        #expect(ms("2024-02-29T00:00:00Z") != nil)
        #expect(ms("2000-02-29T00:00:00Z") != nil)
        #expect(ms("2023-02-29T00:00:00Z") == nil)
        #expect(ms("1900-02-29T00:00:00Z") == nil)
        #expect(ms("2100-02-29T00:00:00Z") == nil)
        #expect(ms("2024-03-01T00:00:00Z")! - ms("2024-02-28T00:00:00Z")! == 2 * 86_400_000)
        #expect(ms("2023-03-01T00:00:00Z")! - ms("2023-02-28T00:00:00Z")! == 86_400_000)
    }

    @Test("impossible dates and times are rejected", arguments: [
        "2024-13-01T00:00:00Z", "2024-00-01T00:00:00Z", "2024-01-00T00:00:00Z",
        "2024-01-32T00:00:00Z", "2024-04-31T00:00:00Z", "2024-06-31T00:00:00Z",
        "2024-09-31T00:00:00Z", "2024-11-31T00:00:00Z", "2024-01-01T24:00:00Z",
        "2024-01-01T23:60:00Z", "2024-01-01T23:59:61Z", "2024-01-01T00:00:00+24:00",
        "2024-01-01T00:00:00+05:60",
    ])
    func impossibleDates(text: String) {
        #expect(ms(text) == nil)
    }

    @Test("malformed text is rejected", arguments: [
        "", "2024", "2024-01-01", "2024-01-01T", "24-01-01T00:00:00Z", "2024/01/01T00:00:00Z",
        "2024-1-01T00:00:00Z", "2024-01-01T0:00:00Z", "2024-01-01X00:00:00Z",
        "2024-01-01T00:00Z", "2024-01-01T00:00:00 Z", "2024-01-01T00:00:00ZZ",
        "2024-01-01T00:00:00+1", "2024-01-01T00:00:00+01:", "2024-01-01T00:00:00+01:0",
        "2024-01-01T00:00:00UTC", " 2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z ",
        "2024-01-01T00:00:0aZ", "1700000000000",
    ])
    func malformed(text: String) {
        #expect(ms(text) == nil)
        #expect(ms(text, allowMissingZone: true) == nil)
    }

    @Test("a leap second (:60) is accepted and read as :59")
    func leapSecond() {
        #expect(ms("2016-12-31T23:59:60Z") == ms("2016-12-31T23:59:59Z"))
    }

    @Test("a missing zone is rejected unless allowMissingZone, then it is UTC")
    func missingZone() {
        #expect(ms("2024-03-10T12:00:00") == nil)
        #expect(ms("2024-03-10T12:00:00.5") == nil)
        #expect(ms("2024-03-10T12:00:00", allowMissingZone: true) == ms("2024-03-10T12:00:00Z"))
        #expect(ms("2024-03-10 12:00:00.5", allowMissingZone: true) == ms("2024-03-10T12:00:00.500Z"))
        // allowMissingZone does not change how explicit zones are read.
        #expect(ms("2024-03-10T12:00:00+01:00", allowMissingZone: true) == ms("2024-03-10T11:00:00Z"))
    }

    @Test("the byte-level parser agrees with the string parser")
    func utf8EntryPoint() {
        for text in ["2024-03-10T12:00:00Z", "2024-03-10T12:00:00", "garbage", "2024-02-30T00:00:00Z"] {
            for allow in [false, true] {
                let viaBytes = Array(text.utf8).withUnsafeBytes { RFC3339.parse(utf8: $0, allowMissingZone: allow) }
                #expect(viaBytes == RFC3339.parse(text, allowMissingZone: allow))
            }
        }
    }

    @Test("format prints UTC with milliseconds")
    func format() {
        #expect(RFC3339.format(Timestamp(millisecondsSinceEpoch: 0)) == "1970-01-01T00:00:00.000Z")
        #expect(RFC3339.format(Timestamp(millisecondsSinceEpoch: 1_795_750_631_250)) == "2026-11-27T03:37:11.250Z")
        #expect(RFC3339.format(Timestamp(millisecondsSinceEpoch: -1)) == "1969-12-31T23:59:59.999Z")
        #expect(RFC3339.format(Timestamp(millisecondsSinceEpoch: 951_782_400_007)) == "2000-02-29T00:00:00.007Z")
        #expect(Timestamp(millisecondsSinceEpoch: 1_795_750_631_250).description == "2026-11-27T03:37:11.250Z")
    }

    @Test("random timestamps from year 1 to 9999 survive format then parse")
    func roundTrip() throws {
        var rng = SplitMix64(seed: 3339)
        let lo = try #require(ms("0001-01-01T00:00:00Z"))
        let hi = try #require(ms("9999-12-31T23:59:59.999Z"))
        for _ in 0..<5000 {
            let t = Timestamp(millisecondsSinceEpoch: Int64.random(in: lo...hi, using: &rng))
            let text = RFC3339.format(t)
            #expect(text.utf8.count == 24)
            let back = try #require(RFC3339.parse(text), "\(text)")
            #expect(back == t, "\(text)")
        }
    }

    @Test("civil date conversion round-trips day numbers")
    func civilDays() {
        #expect(RFC3339.daysFromCivil(year: 1970, month: 1, day: 1) == 0)
        #expect(RFC3339.daysFromCivil(year: 2000, month: 3, day: 1) == 11_017)
        for z in stride(from: -800_000, through: 2_900_000, by: 997) {
            let c = RFC3339.civilFromDays(z)
            #expect(RFC3339.daysFromCivil(year: c.year, month: c.month, day: c.day) == z)
        }
    }
}

@Suite("Timestamp arithmetic")
struct TimestampTests {
    @Test("adding, differences and ordering use milliseconds")
    func arithmetic() {
        let a = Timestamp(millisecondsSinceEpoch: 1_000)
        let b = a.adding(milliseconds: 250)
        #expect(b.millisecondsSinceEpoch == 1_250)
        #expect(a.milliseconds(to: b) == 250)
        #expect(b.milliseconds(to: a) == -250)
        #expect(a < b)
        #expect(!(b < a))
        #expect([b, a].sorted() == [a, b])
    }
}

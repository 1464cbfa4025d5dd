import Testing
import TinsenseCore

@Suite("sensor patterns")
struct SensorPatternTests {
    func matches(_ pattern: String, _ sensor: String) -> Bool { SensorPattern(pattern).matches(sensor) }

    @Test("a pattern without wildcards matches exactly that id")
    func literal() {
        #expect(matches("crusher01/feed_rate", "crusher01/feed_rate"))
        #expect(!matches("crusher01/feed_rate", "crusher01/feed_rate2"))
        #expect(!matches("Crusher01/feed_rate", "crusher01/feed_rate"))
        #expect(matches("", "") && !matches("", "x"))
    }

    @Test("* matches any run of characters, / included, and the empty run")
    func star() {
        #expect(matches("crushing/belt*/feed_rate", "crushing/belt2/feed_rate"))
        #expect(matches("skab/*/Current", "skab/valve1/3/Current"))
        #expect(matches("*", "anything/at/all") && matches("*", ""))
        #expect(matches("**x", "yyx") && matches("a*", "a"))
        #expect(!matches("crushing/*", "flotation/cell"))
        #expect(matches("*/pulp_ph", "cell02/pulp_ph") && !matches("*/pulp_ph", "cell02/pulp_ph_raw"))
    }

    @Test("? matches exactly one character, / included")
    func question() {
        #expect(matches("xrf0?/sn", "xrf01/sn"))
        #expect(!matches("xrf0?/sn", "xrf0/sn") && !matches("xrf0?/sn", "xrf012/sn"))
        #expect(!matches("skab/?/Current", "skab/valve1/Current"))
        #expect(matches("a?b", "a/b"))
        #expect(matches("pH?", "pHé"))
    }

    @Test("[...] matches one character of a set, a range or (with ! or ^) neither")
    func classes() {
        #expect(matches("cell[123]/ph", "cell2/ph") && !matches("cell[123]/ph", "cell4/ph"))
        #expect(matches("cell[1-3]/ph", "cell2/ph") && !matches("cell[1-3]/ph", "cell4/ph"))
        #expect(!matches("cell[!1-3]/ph", "cell2/ph") && matches("cell[!1-3]/ph", "cell7/ph"))
        #expect(!matches("cell[^1-3]/ph", "cell2/ph") && matches("cell[^1-3]/ph", "cellx/ph"))
        #expect(matches("xrf[0-9][0-9]/*", "xrf01/tails_sn"))
        #expect(!matches("cell[1-3]", "cell12"))
    }

    @Test("] first in a class and - at its ends are members")
    func classEdges() {
        #expect(matches("a[]]b", "a]b") && !matches("a[]]b", "axb"))
        #expect(matches("a[!]]b", "axb") && !matches("a[!]]b", "a]b"))
        #expect(matches("a[-x]b", "a-b") && matches("a[x-]b", "a-b") && !matches("a[x-]b", "ayb"))
    }

    @Test("a reversed range matches nothing")
    func reversedRange() {
        #expect(!matches("a[z-a]", "ab") && !matches("a[z-a]", "az") && !matches("a[z-a]", "a-"))
    }

    @Test("backslash makes the next character literal, inside a class too")
    func escapes() {
        #expect(matches("a\\*b", "a*b") && !matches("a\\*b", "axb"))
        #expect(matches("a\\?b", "a?b") && !matches("a\\?b", "axb"))
        #expect(matches("a\\[1]", "a[1]") && !matches("a\\[1]", "a1"))
        #expect(matches("a\\\\b", "a\\b"))
        #expect(matches("[\\]]", "]") && matches("[a\\-z]", "-") && !matches("[a\\-z]", "m"))
    }

    @Test("malformed patterns are literal: an unclosed [ and a trailing \\ match themselves")
    func malformedIsLiteral() {
        #expect(matches("cell[1", "cell[1") && !matches("cell[1", "cell1"))
        #expect(matches("a[", "a[") && matches("[]", "[]") && matches("[!]", "[!]"))
        #expect(matches("cell[*", "cell[01") && !matches("cell[*", "cell01"))
        #expect(matches("tag\\", "tag\\") && !matches("tag\\", "tag"))
    }

    @Test("backtracking stays linear-ish on many stars")
    func manyStars() {
        let pattern = String(repeating: "*a", count: 50) + "b"
        let sensor = String(repeating: "a", count: 200)
        #expect(!matches(pattern, sensor))
    }

    @Test("the pattern's text is kept as written")
    func text() {
        #expect(SensorPattern("flotation/*").description == "flotation/*")
        #expect(SensorPattern("x[1-2]") == SensorPattern("x[1-2]"))
    }
}

import Testing
import TinsenseConfig

/// Inputs that crashed a libFuzzer target (scripts/fuzz.sh, docs/RELIABILITY.md "Fuzzing"),
/// fed byte for byte to the code that crashed. Each must now give a `ConfigError`.
@Suite("fuzz regressions: config loader")
struct ConfigFuzzRegressionTests {
    /// FuzzConfigLoader crash-f00e726831b7f1f4a0e99adebfc047b0cd80ffa9 (the seed
    /// Fuzz/corpus/config/seed-stale-0.toml): `nan` in `stale_after_s` and `period_s` traps in
    /// a conversion (finding 5).
    @Test("stale_after_s = nan and period_s = nan give a ConfigError naming FILE:LINE, not a trap")
    func nanPeriods() throws {
        let text = """
        [daemon]
        data_dir = "/tmp/x"
        [mqtt]
        broker = "mqtt://127.0.0.1:1883"
        subscribe = ["test/#"]
        [storage]
        fsync_interval_ms = 50
        [[sensor]]
        topic = "test/{line}/{sensor}"
        id = "{line}/{sensor}"
        unit = "u"
        range = [0, 100]
        stale_after_s = nan
        period_s = nan

        """
        #expect(Array(text.utf8).count == 0xFD, "the exact bytes of the crashing input")
        let error = #expect(throws: ConfigError.self) { try ConfigLoader.parse(text, file: "fuzz.toml") }
        #expect(error?.description.contains("fuzz.toml:13") == true, "\(String(describing: error))")
    }

    /// FuzzConfigLoader crash-9094847ed9dcfc7f5eaa053672c53408b30893a9 (the fuzz volume run of
    /// 2026-12-02): a line holding only `[` made toml++ (inside TOMLKit) fail an assertion
    /// and abort the process — `check-config` and `run` died with SIGABRT on a half-typed table
    /// header. The exact input is below; the shorter shapes are the same bug.
    @Test("a table header with no key after '[' is a FILE:LINE error, not an abort", arguments: [
        ("[daemon]\nlog_leved7ata_dir = \"mt/p/x\"\n[\nunit = \"u\"\u{0}\u{0}\u{0}\u{6}\nra" + String(repeating: "\u{0}", count: 124)
            + "nge = [0, 100]\nstale_aft\"\nrange = [0, 10iod_s = 1e300\n", 3),
        ("[\n", 1), ("[ \t\n", 1), ("[[\n", 1), ("[=]\n", 1), ("[.]\n", 1), ("[daemon]\n[ # note\n", 2), ("[\r\n", 1),
        ("x = 1\n\n[\u{A0}daemon]\n", 3), ("[daemon]\r\nlog_level = \"info\"\r\n[\r\n", 3),
        // FuzzConfigLoader crash-e2b34db81527ca47e6faa14a3d3eb82767a5dd84 (CI's smoke run of
        // 2026-12-02): a third '[' after an array-of-tables' "[[" aborted toml++ the same way.
        (String(decoding: [0x5b, 0x5b, 0x5b, 0x73, 0x65, 0x6e, 0x73, 0x6f, 0x72, 0x5d, 0x5d, 0xcd, 0x74, 0x6f, 0x70, 0x69, 0x63, 0x6e, 0x73, 0x6f, 0x72,
                           0x5d, 0x5d, 0xcd, 0x74, 0x6f, 0x70, 0x69, 0x63, 0x20, 0x3d, 0x20, 0x3d, 0x20, 0x32, 0x0a] as [UInt8], as: UTF8.self), 1),
        ("[[[sensor]]]\n", 1), ("[daemon]\n[[ [sensor]]\n", 2),
    ])
    func bareTableBracket(text: String, line: Int) throws {
        if text.hasPrefix("[daemon]\nlog_leved") { #expect(text.utf8.count == 235, "the exact bytes of the crashing input") }
        let error = #expect(throws: ConfigError.self) { try ConfigLoader.parse(text, file: "fuzz.toml") }
        #expect(error?.description.contains("fuzz.toml:\(line): TOML syntax: a table header needs a key") == true, "\(String(describing: error))")
    }

    @Test("a '}' where an array element must start is a FILE:LINE error, not an abort (toml++ asserts on it)", arguments: [
        // FuzzConfigLoader crash-7657cac5dca70b1574880ef6cec12e3cfd5fb18a (2026-12-02, a 20 s
        // run with -max_len=2048): `range = [0,}"` aborted `check-config` in toml++'s parse_value.
        ("[daemon]\ndata_dir = \"/tmp/x\"\n[mqtt]\nbroker = \"mqtt://127.0.0.1:1883\"\nsubscribe = [\"test&#\"]\n[storage]\nfsync_interval_ms = 50\n[[sensor]]\ntopic = \"test/{line}/{sensor=\"\nid = \"{line}/{sensor}\"\nunit = \"u\"\nrange = [0,}\"\nunit = \"u\"\nrange = [0,eriod_s = 0\n", 12),
        ("a = [0,}\n", 1), ("a = [}\n", 1), ("a = [ }\n", 1), ("a = [0, }\n", 1), ("a = [[0,}]\n", 1),
        ("a = {b = [}}\n", 1), ("x = { a = [1,} }\n", 1), ("[daemon]\na = [0, # note\n  }\n", 3),
        ("a = [\n  1,\n  {b = 1},\n}\n", 4),
    ])
    func braceInArray(text: String, line: Int) throws {
        if text.hasPrefix("[daemon]\ndata_dir") { #expect(text.utf8.count == 249, "the exact bytes of the crashing input") }
        let error = #expect(throws: ConfigError.self) { try ConfigLoader.parse(text, file: "fuzz.toml") }
        #expect(error?.description.contains("fuzz.toml:\(line): TOML syntax: '}' where an array element") == true, "\(String(describing: error))")
    }

    @Test("braces that are not in an array's element position pass the guard: in strings, comments, inline tables, headers, multi-line strings")
    func bracesElsewhereAreLeftAlone() {
        let valid = """
        [daemon]
        note = "[0,}"  # a comment with [ , } in it
        raw = '[}'
        multi = \"\"\"
        [1,}
        \"\"\"
        lit = \'\'\'
        [,}
        \'\'\'
        table = { a = [1, 2], b = { c = [] } }
        list = [{ a = 1 }, { b = [3] }]
        escaped = "\\"[,}"
        [ "odd.}header" ]
        """
        let error = #expect(throws: ConfigError.self) { try ConfigLoader.parse(valid, file: "ok.toml") }
        // It is not a whole config (no [mqtt] broker, unknown keys), but nothing in it is a misplaced brace.
        #expect(error?.description.contains("where an array element") == false, "\(String(describing: error))")
        #expect(error?.description.contains("TOML syntax") == false, "toml++ parses it: \(String(describing: error))")
    }

    @Test("brackets that toml++ handles itself are left to it: nested arrays on their own lines, empty headers, quoted keys")
    func validBracketLinesPass() throws {
        let text = """
        [daemon]
        data_dir = "/tmp/x"
        [mqtt]
        subscribe = [
          "a/#",
        ]
        [ "storage" ]
        fsync_interval_ms = 50
        [[sensor]]
        topic = "a/{x}"
        id = "{x}"
        unit = "u"

        """
        #expect(throws: Never.self) { try ConfigLoader.parse(text, file: "ok.toml") }
        let empty = #expect(throws: ConfigError.self) { try ConfigLoader.parse("[]\n", file: "e.toml") }
        #expect(empty?.description.contains("a table header needs a key") == false, "toml++'s own message for an empty header")
    }

    @Test("a CRLF config's errors name the right line (a CRLF is one Character, never equal to \"\\n\")")
    func crlfLineNumbers() throws {
        let text = "[daemon]\r\ndata_dir = \"/tmp/x\"\r\n[mqtt]\r\nqos = 7\r\n"
        let error = #expect(throws: ConfigError.self) { try ConfigLoader.parse(text, file: "crlf.toml") }
        #expect(error?.description.contains("crlf.toml:4: mqtt.qos") == true, "\(String(describing: error))")
    }
}

import Testing
import TinsenseCore
import TinsenseDecode
import TinsenseTestSupport

/// Generates payloads of the shapes plants send (and many they should not), deterministically.
struct PayloadGenerator {
    var rng: SplitMix64

    init(seed: UInt64) { rng = SplitMix64(seed: seed) }

    // MARK: whitespace and small pieces

    mutating func ws() -> String {
        switch rng.int(0...9) {
        case 0...4: return ""
        case 5: return " "
        case 6: return "\t"
        case 7: return "\n"
        case 8: return " \r\n  "
        default: return String((0..<rng.int(1...4)).map { _ in rng.pick([" ", "\t", "\n", "\r"]) as Character })
        }
    }

    mutating func digits(_ count: Int, leadingNonZero: Bool = false) -> String {
        var s = ""
        for k in 0..<count {
            s.append(String(leadingNonZero && k == 0 ? rng.int(1...9) : rng.int(0...9)))
        }
        return s
    }

    /// A valid JSON number: integers, fractions with trailing zeros, exponents, negatives,
    /// sometimes more digits than a DecimalValue holds.
    mutating func jsonNumber() -> String {
        let sign = rng.chance(0.3) ? "-" : ""
        let intPart = rng.chance(0.25) ? "0" : digits(rng.int(1...(rng.chance(0.05) ? 22 : 6)), leadingNonZero: true)
        var s = sign + intPart
        if rng.chance(0.6) {
            var frac = digits(rng.int(1...6))
            if rng.chance(0.3) { frac += String(repeating: "0", count: rng.int(1...3)) }
            s += "." + frac
        }
        if rng.chance(0.2) {
            s += rng.pick(["e", "E"]) + rng.pick(["", "+", "-"]) + String(rng.int(0...(rng.chance(0.1) ? 400 : 12)))
        }
        return s
    }

    mutating func nanToken() -> String { rng.pick(["NaN", "-NaN", "Infinity", "-Infinity"]) }

    /// A JSON string literal (with quotes), optionally with escapes or non-ASCII text.
    mutating func jsonString(_ plain: String? = nil) -> String {
        if let plain { return "\"" + plain + "\"" }
        let ascii = ["bar", "t/h", "Cel", "[pH]", "m3/h", "crusher 2", "L/min", "%", "ok", "", "{x}", "a,b:c"]
        let special = [#"\""#, #"\\"#, #"\u00e9"#, #"\n"#, #"\t"#, #"\/"#, #"\u2013"#, "é", "Sn ≥ 2 %", "锡", "°C", "🙂"]
        // Mostly plain ASCII (what the fast path takes), sometimes escapes or non-ASCII text.
        let pieces = rng.chance(0.8) ? ascii : ascii + special
        var s = ""
        for _ in 0..<rng.int(0...4) { s += rng.pick(pieces) }
        return "\"" + s + "\""
    }

    mutating func rfc3339() -> String {
        let y = rng.int(1990...2035), mo = rng.int(1...12), d = rng.int(1...28)
        let h = rng.int(0...23), mi = rng.int(0...59), s = rng.int(0...59)
        func p(_ v: Int, _ w: Int = 2) -> String { String(repeating: "0", count: max(0, w - String(v).count)) + String(v) }
        var t = "\(p(y, 4))-\(p(mo))-\(p(d))" + rng.pick(["T", "t", " "]) + "\(p(h)):\(p(mi)):\(p(s))"
        if rng.chance(0.6) { t += "." + digits(rng.int(1...9)) }
        switch rng.int(0...5) {
        case 0, 1: t += "Z"
        case 2: t += "z"
        case 3: t += "+" + p(rng.int(0...14)) + ":" + p(rng.pick([0, 30, 45]))
        case 4: t += "-" + p(rng.int(0...12)) + p(rng.pick([0, 30]))
        default: break  // no zone: malformed as a payload ts
        }
        return t
    }

    // MARK: fields

    mutating func valueField() -> String {
        switch rng.int(0...19) {
        case 0...9: return jsonNumber()
        case 10, 11: return "\"" + jsonNumber() + "\""
        case 12: return nanToken()
        case 13: return jsonString(rng.pick(["NaN", "nan", "Infinity", "-inf", "+Infinity"]))
        case 14: return "null"
        case 15: return rng.pick(["true", "false"])
        case 16: return nested(depth: 0)
        case 17: return jsonString()
        case 18: return digits(rng.int(19...21), leadingNonZero: true)
        default: return jsonNumber() + rng.pick(["0", "00", ""])
        }
    }

    mutating func tsField() -> String {
        switch rng.int(0...9) {
        case 0...3: return jsonString(rfc3339())
        case 4: return "17" + digits(11)                              // epoch ms number
        case 5: return "\"17" + digits(11) + "\""                     // epoch ms digit string
        case 6: return "17" + digits(8) + (rng.chance(0.7) ? "." + digits(rng.int(1...4)) : "")  // epoch s
        case 7: return "\"17" + digits(8) + "\""
        case 8: return rng.pick(["null", "true", "\"yesterday\"", "\"\"", "-5", "1.7e12", "{\"s\":1}"])
        default: return jsonString(rfc3339() + rng.pick(["", "x", " "]))
        }
    }

    mutating func qualityField() -> String {
        switch rng.int(0...5) {
        case 0: return jsonString(rng.pick(["good", "GOOD", "ok", "uncertain", "bad", "stale", "Bad", "excellent", ""]))
        case 1: return rng.pick(["192", "500", "0", "1073741824", "2147483648", "3221225472", "2150891520"])
        case 2: return jsonString(rng.pick(["192", "500", "2147483648", "-1"]))
        case 3: return rng.pick(["-1", "1.5", "1e3", "true", "null", "[192]"])
        case 4: return "null"
        default: return String(rng.int(0...600))
        }
    }

    mutating func unitField() -> String {
        switch rng.int(0...5) {
        case 0...3: return jsonString()
        case 4: return "null"
        default: return rng.pick(["5", "true", "[\"t\"]", "{\"u\":1}"])
        }
    }

    mutating func nested(depth: Int) -> String {
        if depth > 2 || rng.chance(0.4) { return rng.chance(0.5) ? jsonNumber() : jsonString() }
        if rng.chance(0.5) {
            let n = rng.int(0...3)
            return "[" + (0..<n).map { _ in ws() + nested(depth: depth + 1) + ws() }.joined(separator: ",") + "]"
        }
        let n = rng.int(0...3)
        return "{" + (0..<n).map { k in ws() + "\"k\(k)\"" + ws() + ":" + ws() + nested(depth: depth + 1) + ws() }.joined(separator: ",") + "}"
    }

    mutating func extraField() -> String {
        switch rng.int(0...9) {
        case 0...2: return jsonString()
        case 3, 4: return jsonNumber()
        case 5: return rng.pick(["true", "false", "null"])
        case 6: return nanToken()
        case 7: return nested(depth: 0)
        case 8: return jsonString("crusher-\(rng.int(1...9))")
        default: return jsonString(rng.pick(["crusher-\(rng.int(1...9))", "Zinnerz–Aufbereitung", "line \\\"A\\\""]))
        }
    }

    /// A flat object with distinct keys in random order.
    mutating func object() -> String {
        var fields: [(String, String)] = []
        if rng.chance(0.93) { fields.append(("\"value\"", valueField())) }
        if rng.chance(0.6) { fields.append(("\"" + rng.pick(["ts", "timestamp", "time"]) + "\"", tsField())) }
        if rng.chance(0.1) { fields.append(("\"time\"", tsField())); if fields.filter({ $0.0 == "\"time\"" }).count > 1 { fields.removeLast() } }
        if rng.chance(0.5) { fields.append(("\"unit\"", unitField())) }
        if rng.chance(0.4) { fields.append(("\"quality\"", qualityField())) }
        let extraKeys = ["device", "seq", "site", "note", "raw", "Val", "VALUE", "tag/1", "", "n\\u00e9", "line\\\"x", "mésure"]
        var used = Set<String>()
        for _ in 0..<rng.int(0...3) {
            let k = rng.pick(extraKeys)
            guard used.insert(k).inserted else { continue }
            fields.append(("\"" + k + "\"", extraField()))
        }
        fields.shuffle(using: &rng)
        let body = fields.map { k, v in ws() + k + ws() + ":" + ws() + v + ws() }.joined(separator: ",")
        return "{" + body + (fields.isEmpty ? ws() : "") + "}"
    }

    mutating func array() -> String {
        let n = rng.int(0...6)
        let elements = (0..<n).map { _ -> String in
            if rng.chance(0.05) { return rng.pick([jsonNumber(), "null", jsonString(), "[]"]) }
            return object()
        }
        return "[" + ws() + elements.map { $0 + ws() }.joined(separator: "," + ws()) + "]"
    }

    /// Breaks a valid payload in one of the ways real traffic does.
    mutating func corrupt(_ s: String) -> String {
        var bytes = Array(s.utf8)
        switch rng.int(0...7) {
        case 0 where bytes.count > 1:
            bytes.removeLast(rng.int(1...(bytes.count - 1)))               // truncated
        case 1:
            bytes.insert(rng.pick(Array("{}[],:\"x+'".utf8)), at: rng.int(0...bytes.count))
        case 2 where !bytes.isEmpty:
            bytes.remove(at: rng.int(0...(bytes.count - 1)))
        case 3:
            return s.replacingFirst("}", with: ",}")                        // trailing comma
        case 4:
            return s.replacingFirst("\"", with: "'")
        case 5:
            return s + rng.pick(["x", "}", " 1", ",", "\u{0}"])
        case 6:
            return rng.pick(["+1", "01", ".5", "1.", "-", "tru", "nul", "NaNx", "inf", "0x1F", "1e", "\"", "{", "[", "", "  "])
        default:
            return s.replacingFirst(":", with: "=")
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    mutating func payload() -> String {
        switch rng.int(0...19) {
        case 0...10: return ws() + object() + ws()
        case 11...13: return ws() + array() + ws()
        case 14, 15: return ws() + rng.pick([jsonNumber(), jsonNumber(), nanToken(), "\"" + jsonNumber() + "\"", "true", "null"]) + ws()
        default: return corrupt(rng.chance(0.7) ? object() : array())
        }
    }
}

extension String {
    func replacingFirst(_ target: Character, with replacement: String) -> String {
        guard let i = firstIndex(of: target) else { return self }
        return String(self[..<i]) + replacement + String(self[index(after: i)...])
    }
}

@Suite("Scanner and Foundation paths agree")
struct ScannerFoundationComparisonTests {
    @Test("thousands of generated payloads decode identically on both paths, and the scanner takes most flat ones")
    func pathsAgree() {
        var gen = PayloadGenerator(seed: 0x7153_E45E)
        let limits = DecodeLimits(maxPayloadBytes: 65_536, maxBatch: 4)
        let count = 6000
        var byScanner = 0
        var mismatches = 0
        var reasons: [String: Int] = [:]
        var itemsSeen = 0
        for n in 0..<count {
            let text = gen.payload()
            let bytes = Array(text.utf8)
            let (auto, path) = bytes.withUnsafeBytes { PayloadDecoder.decode($0, limits: limits, path: nil) }
            let (forced, forcedPath) = bytes.withUnsafeBytes { PayloadDecoder.decode($0, limits: limits, path: .foundation) }
            if path == .scanner { byScanner += 1 }
            switch auto {
            case .failure(let f): reasons["payload:" + f.reason.rawValue, default: 0] += 1
            case .items(let items):
                for i in items {
                    itemsSeen += 1
                    switch i {
                    case .success(let d):
                        if case .notANumber = d.value { reasons["nan", default: 0] += 1 } else { reasons["ok", default: 0] += 1 }
                    case .failure(let f): reasons["item:" + f.reason.rawValue, default: 0] += 1
                    }
                }
            }
            if auto != forced {
                mismatches += 1
                if mismatches <= 15 {
                    Issue.record("payload #\(n) differs (auto path \(path), forced \(forcedPath)):\n\(text)\nscanner:    \(auto)\nfoundation: \(forced)")
                }
            }
            // A payload that is empty or too large is refused before either parser runs.
            if bytes.count > 0 && bytes.count <= limits.maxPayloadBytes {
                #expect(forcedPath == .foundation)
            }
        }
        #expect(mismatches == 0, "\(mismatches) of \(count) payloads decode differently")
        // The generator produces mostly flat ASCII payloads: the fast path must carry a good share.
        #expect(byScanner >= count * 3 / 10, "scanner decoded \(byScanner) of \(count)")
        #expect(byScanner <= count * 9 / 10, "too few payloads reached Foundation (\(count - byScanner))")
        // The mix must exercise every outcome, or the comparison proves little.
        for key in ["ok", "nan", "item:malformed", "payload:malformed", "payload:too_large"] {
            #expect(reasons[key, default: 0] >= 20, "outcome \(key) seen only \(reasons[key, default: 0]) times: \(reasons)")
        }
        #expect(itemsSeen > count / 2)
    }

    @Test("hand-picked tricky payloads decode identically on both paths", arguments: [
        #"{"value":1,"value2":2}"#,
        #"{"value":"1"}"#,
        #"{"value":-0}"#,
        #"{"value":1E+2}"#,
        #"{"value":true}"#,
        #"{"value":1,"quality":true}"#,
        #"{"value":1,"unit":false}"#,
        #"{"value":1,"ts":null}"#,
        #"[{"value":true},{"value":null}]"#,
        "\u{7F}",
        #"{"value":1,"x":"\u{7F}"}"#,
        #"{"":1,"value":2}"#,
        " 0 ",
        "-0.0e-0",
        #"{"value":123456789012345678901234567890}"#,
        // Number tokens the scanner parses once (no exponent) against those it keeps as text.
        #"{"value":-0.0,"ts":-0}"#,
        #"{"value":1.50,"ts":1795000000000.5}"#,
        #"{"value":2,"ts":1795000000.25}"#,
        #"{"value":2,"ts":17950000000000000}"#,
        #"{"value":2,"ts":1795000000000000000}"#,
        #"{"value":2,"ts":922337203685477580.7}"#,
        #"{"value":2,"ts":-1795000000}"#,
        #"{"value":2,"ts":1.795e12}"#,
        #"{"value":2,"quality":192}"#,
        #"{"value":2,"quality":0}"#,
        #"{"value":2,"quality":-0}"#,
        #"{"value":2,"quality":-3}"#,
        #"{"value":2,"quality":12.5}"#,
        #"{"value":2,"quality":1e2}"#,
        #"{"value":2,"unit":5}"#,
        "123456789012345678",
        "-0.000",
        "42.4200",
    ])
    func trickyPayloads(text: String) {
        let (auto, _) = decode(text, path: nil)
        let (forced, _) = decode(text, path: .foundation)
        #expect(auto == forced)
    }
}

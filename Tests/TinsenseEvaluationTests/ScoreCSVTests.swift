import Testing
import TinsenseTestSupport
import TinsenseCore
@testable import TinsenseDetect
@testable import TinsenseEvaluation

@Suite("tinsense score CSV engine")
struct ScoreCSVTests {
    /// Runs `input` through the scorer in chunks of `chunk` bytes; returns output text.
    func score(_ input: String, chunk: Int = 7, strict: Bool = false, names: [String] = ["default"]) throws -> (String, CSVSeriesScorer) {
        var scorer = CSVSeriesScorer(spec: try DetectorSpec(names: names), strict: strict)
        var out: [UInt8] = []
        let bytes = Array(input.utf8)
        var i = 0
        while i < bytes.count {
            let part = Array(bytes[i..<min(i + chunk, bytes.count)])
            var failure: ScoreInputError?
            part.withUnsafeBytes { p in
                do throws(ScoreInputError) { try scorer.consume(p, into: &out) } catch { failure = error }
            }
            if let failure { throw failure }
            i += chunk
        }
        try scorer.finish(into: &out)
        return (String(decoding: out, as: UTF8.self), scorer)
    }

    @Test("one row out per row in, timestamps and values echoed exactly, six-decimal scores, whatever the chunking")
    func echoAndFormat() throws {
        let input = "timestamp,value\r\n2024-01-01 00:00:00,1.50\r\n2024-01-01T00:00:10+02:00,\"2\"\r\n2024-01-01T00:00:20,3e0\n"
        let (out, scorer) = try score(input)
        let lines = out.split(separator: "\n").map(String.init)
        #expect(lines == [
            "timestamp,value,anomaly_score",
            "2024-01-01 00:00:00,1.50,0.000000",
            "2024-01-01T00:00:10+02:00,\"2\",0.000000",
            "2024-01-01T00:00:20,3e0,0.000000",
        ])
        #expect(scorer.rowCount == 3 && scorer.badRowCount == 0)
        for chunk in [1, 3, 64, 10_000] { #expect(try score(input, chunk: chunk).0 == out) }
    }

    @Test("a bad row keeps its place with score 0 and a warning naming its line")
    func badRowsScoreZero() throws {
        let input = "timestamp,value\n2024-01-01 00:00:00,1\nyesterday,2\n2024-01-01 00:00:02,NaN\n2024-01-01 00:00:03,4\n"
        let (out, scorer) = try score(input)
        #expect(out.split(separator: "\n").count == 5)
        #expect(out.contains("yesterday,2,0.000000\n"))
        #expect(scorer.badRowCount == 2)
        #expect(scorer.warnings.first?.hasPrefix("line 3:") == true)
        #expect(scorer.warnings.last?.hasPrefix("line 4:") == true)
    }

    @Test("--strict stops at the first bad row naming the line")
    func strictFails() {
        #expect(throws: ScoreInputError.badRow(line: 3, reason: "timestamp 'yesterday' is not ISO-8601")) {
            _ = try score("timestamp,value\n2024-01-01 00:00:00,1\nyesterday,2\n", strict: true)
        }
    }

    @Test("columns are found by header name, in any order")
    func headerOrder() throws {
        let (out, _) = try score("value,timestamp\n5,2024-01-01 00:00:00\n")
        #expect(out == "timestamp,value,anomaly_score\n2024-01-01 00:00:00,5,0.000000\n")
    }

    @Test("a spike in a long series scores above 0.5 and the output matches the series scorer directly")
    func matchesDetector() throws {
        var values = noise(count: 2000, seed: 41)
        values[1500] += 15
        var text = "timestamp,value\n"
        for (i, v) in values.enumerated() {
            text += "2024-01-01T\(String(format2: i / 3600)):\(String(format2: i / 60 % 60)):\(String(format2: i % 60))Z,\(v)\n"
        }
        let (out, _) = try score(text, chunk: 4096)
        let scored = out.split(separator: "\n").dropFirst().map { Double($0.split(separator: ",")[2])! }
        var series = SeriesScorer(spec: .default)
        let direct = values.enumerated().map { i, v in
            series.score(time: Timestamp(millisecondsSinceEpoch: 1_704_067_200_000 + Int64(i) * 1000), value: v)
        }
        for i in values.indices { #expect(abs(scored[i] - direct[i]) <= 5e-7) }
        #expect(scored[1500] >= 0.5)
    }

    @Test("lenient timestamps: no seconds, a date, epoch seconds and milliseconds")
    func lenientTimestamps() {
        func parse(_ s: String) -> Int64? {
            var c = s
            return c.withUTF8 { TimestampText.parse(UnsafeRawBufferPointer($0))?.millisecondsSinceEpoch }
        }
        #expect(parse("2024-01-01 00:01") == parse("2024-01-01T00:01:00Z"))
        #expect(parse("2024-01-01") == parse("2024-01-01T00:00:00Z"))
        #expect(parse("1704067200") == parse("2024-01-01T00:00:00Z"))
        #expect(parse("1704067200500") == parse("2024-01-01T00:00:00.500Z"))
        #expect(parse("soon") == nil)
    }

    @Test("numbers parse exactly like the standard library")
    func numbers() {
        for text in ["0", "-1.5", "3.14159", "1e-7", "-2.5E+3", "123456789.123456", "0.1", "7."] {
            var c = text
            let v = c.withUTF8 { NumberText.parseDouble(UnsafeRawBufferPointer($0)) }
            #expect(v == Double(text), "\(text)")
        }
        for bad in ["", "abc", "1.2.3", "NaN", "inf", "--1", "1e"] {
            var c = bad
            #expect(c.withUTF8 { NumberText.parseDouble(UnsafeRawBufferPointer($0)) } == nil, "\(bad)")
        }
    }
}

extension String {
    init(format2 v: Int) { self = v < 10 ? "0\(v)" : "\(v)" }
}

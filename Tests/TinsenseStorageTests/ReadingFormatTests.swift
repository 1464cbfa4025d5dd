import Testing
import TinsenseCore
@testable import TinsenseStorage

@Suite("export line formats")
struct ReadingFormatTests {
    static let t0 = Timestamp(millisecondsSinceEpoch: 1_772_431_200_250)  // 2026-03-02T06:00:00.250Z
    static let t1 = Timestamp(millisecondsSinceEpoch: 1_772_431_201_000)

    static func reading(sensor: String = "flotation/cell01/ph", value: String = "12.50", unit: String? = "[pH]",
                        quality: Quality = .good, flags: ReadingFlags = []) -> Reading {
        Reading(sensor: sensor, sourceTime: t0, receiveTime: t1, value: DecimalValue(value)!, unit: unit, quality: quality, flags: flags)
    }

    @Test("csv: the header names sensor and value; the value keeps its scale; unit and quality columns")
    func csv() {
        #expect(ReadingFormat.csv.header == "sensor,source_time,receive_time,value,unit,quality\n")
        #expect(ReadingFormat.csv.line(Self.reading())
            == "flotation/cell01/ph,2026-03-02T06:00:00.250Z,2026-03-02T06:00:01.000Z,12.50,[pH],good\n")
        #expect(ReadingFormat.csv.line(Self.reading(unit: nil, quality: .uncertain))
            == "flotation/cell01/ph,2026-03-02T06:00:00.250Z,2026-03-02T06:00:01.000Z,12.50,,uncertain\n")
    }

    @Test("csv: fields with a comma, quote or newline are quoted, quotes doubled")
    func csvQuoting() {
        let line = ReadingFormat.csv.line(Self.reading(sensor: "a,b", unit: "say \"hi\"\n"))
        #expect(line == "\"a,b\",2026-03-02T06:00:00.250Z,2026-03-02T06:00:01.000Z,12.50,\"say \"\"hi\"\"\n\",good\n")
    }

    @Test("jsonl: one object per line, strings JSON-escaped, a missing unit is null, flags by name")
    func jsonLines() {
        #expect(ReadingFormat.jsonl.header == nil)
        #expect(ReadingFormat.jsonl.line(Self.reading())
            == "{\"sensor\":\"flotation/cell01/ph\",\"source_time\":\"2026-03-02T06:00:00.250Z\",\"receive_time\":\"2026-03-02T06:00:01.000Z\",\"value\":12.50,\"unit\":\"[pH]\",\"quality\":\"good\",\"flags\":[]}\n")
        let odd = ReadingFormat.jsonl.line(Self.reading(sensor: "q\"uote\\back\nline", value: "-0.001", unit: nil, quality: .bad,
                                                        flags: [.sourceTimeMissing, .qualityDowngraded, .imported]))
        #expect(odd == "{\"sensor\":\"q\\\"uote\\\\back\\nline\",\"source_time\":\"2026-03-02T06:00:00.250Z\",\"receive_time\":\"2026-03-02T06:00:01.000Z\",\"value\":-0.001,\"unit\":null,\"quality\":\"bad\",\"flags\":[\"source_time_missing\",\"quality_downgraded\",\"imported\"]}\n")
    }

    @Test("influx: the sensor tag escapes comma, space, = and backslash; string fields escape quote and backslash; time in ns")
    func influx() {
        #expect(ReadingFormat.influx.header == nil)
        #expect(ReadingFormat.influx.line(Self.reading())
            == "tinsense,sensor=flotation/cell01/ph value=12.50,quality=\"good\",unit=\"[pH]\" 1772431200250000000\n")
        #expect(ReadingFormat.influx.line(Self.reading(sensor: "a b,c=d\\e", unit: "say \"x\\y\""))
            == "tinsense,sensor=a\\ b\\,c\\=d\\\\e value=12.50,quality=\"good\",unit=\"say \\\"x\\\\y\\\"\" 1772431200250000000\n")
        #expect(ReadingFormat.influx.line(Self.reading(sensor: "", unit: nil, quality: .stale))
            == "tinsense,sensor=\\  value=12.50,quality=\"stale\" 1772431200250000000\n")
    }

    @Test("victoriametrics lines carry unit and quality as tags and the source time in ms, escaped like influx tags")
    func victoriaMetricsLines() {
        #expect(ReadingFormat.victoriametrics.line(Self.reading(sensor: "a b,c=d\\e", unit: "m3/h"))
            == "tinsense,sensor=a\\ b\\,c\\=d\\\\e,unit=m3/h,quality=good value=12.50 1772431200250\n")
        #expect(ReadingFormat.victoriametrics.line(Self.reading(sensor: "x", unit: nil, quality: .uncertain))
            == "tinsense,sensor=x,quality=uncertain value=12.50 1772431200250\n")
        // --source must not split the series a back-fill writes.
        #expect(ReadingFormat.victoriametrics.line(Self.reading(sensor: "x", unit: nil), source: .wal)
            == ReadingFormat.victoriametrics.line(Self.reading(sensor: "x", unit: nil)))
    }

    @Test("the --format names are the four formats")
    func names() {
        #expect(ReadingFormat.allCases.map(\.rawValue) == ["csv", "jsonl", "influx", "victoriametrics"])
    }
}

@Suite("export line formats with the source mark")
struct ReadingSourceFormatTests {
    @Test("--source adds a last column / member / tag; without it every format is unchanged")
    func sourceMark() {
        let r = ReadingFormatTests.reading()
        #expect(ReadingFormat.csv.header(withSource: false) == ReadingFormat.csv.header)
        #expect(ReadingFormat.csv.header(withSource: true) == "sensor,source_time,receive_time,value,unit,quality,source\n")
        #expect(ReadingFormat.jsonl.header(withSource: true) == nil)
        for f in ReadingFormat.allCases { #expect(f.line(r, source: nil) == f.line(r)) }
        #expect(ReadingFormat.csv.line(r, source: .wal)
            == "flotation/cell01/ph,2026-03-02T06:00:00.250Z,2026-03-02T06:00:01.000Z,12.50,[pH],good,wal\n")
        #expect(ReadingFormat.jsonl.line(r, source: .sealed).hasSuffix(",\"flags\":[],\"source\":\"sealed\"}\n"))
        #expect(ReadingFormat.influx.line(ReadingFormatTests.reading(sensor: "a b,c"), source: .wal)
            == "tinsense,sensor=a\\ b\\,c,source=wal value=12.50,quality=\"good\",unit=\"[pH]\" 1772431200250000000\n")
    }
}

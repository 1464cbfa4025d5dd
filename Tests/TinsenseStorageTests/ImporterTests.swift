import Testing
import TinsenseTestSupport
import TinsenseCore
@testable import TinsenseStorage

@Suite("CSV import")
struct ImporterTests {
    @Test("a wide CSV is imported per column; bad rows and cells are reported with file:line")
    func wide() throws {
        let dir = TemporaryDirectory()
        let file = dir.path + "/7.csv"
        writeBytes(Array("""
        datetime;Temp;Flow;anomaly\r
        2020-03-09 10:14:33;90.6454;-0.50;0\r
        2020-03-09T10:14:34Z;90.700;1e2;1\r
        yesterday;1;2;0\r
        2020-03-09 10:14:36;oops;3;0\r
        2020-03-09 10:14:37;1;2\r
        1583749000000;5;6;0\r

        """.utf8), to: file)
        let store = try SegmentStore(directory: dir.path + "/data", options: StorageOptions(outOfOrderToleranceMs: Int64.max / 4), wal: nil, logger: quietLogger)
        var problems: [String] = []
        let importer = CSVImporter(store: store, options: CSVImportOptions(exclude: ["anomaly"], sensorPrefix: "skab/{file}/"))
        let report = try importer.importFile(file, now: Timestamp(millisecondsSinceEpoch: 0)) { problems.append($0) }
        try store.sealNow(processedThrough: nil, now: Timestamp(millisecondsSinceEpoch: 0))
        #expect(report.stored == 7)
        #expect(problems.count == 3)
        #expect(problems[0].hasPrefix(file + ":4:"))
        #expect(problems[1].hasPrefix(file + ":5:") && problems[1].contains("Temp"))
        #expect(problems[2].hasPrefix(file + ":6:"))
        let out = try allReadings(dir.path + "/data")
        #expect(Set(out.map(\.sensor)) == ["skab/7/Temp", "skab/7/Flow"])
        #expect(out.first { $0.sensor == "skab/7/Flow" }!.value.description == "-0.50")
        #expect(out.allSatisfy { $0.flags.contains(.imported) })
    }

    @Test("a long CSV (what export writes) imports back unchanged")
    func long() throws {
        let dir = TemporaryDirectory()
        let file = dir.path + "/long.csv"
        writeBytes(Array("""
        sensor,source_time,receive_time,value,unit,quality
        "a,b",2026-11-27T03:37:11.250Z,2026-11-27T03:37:11.300Z,12.50,°C,uncertain
        plain,1780000000000,,7,,good

        """.utf8), to: file)
        let store = try SegmentStore(directory: dir.path + "/data", wal: nil, logger: quietLogger)
        let report = try CSVImporter(store: store, options: CSVImportOptions()).importFile(file, now: Timestamp(millisecondsSinceEpoch: 0)) { _ in }
        try store.sealNow(processedThrough: nil, now: Timestamp(millisecondsSinceEpoch: 0))
        #expect(report.stored == 2 && report.problems == 0)
        let out = try allReadings(dir.path + "/data")
        #expect(out[0].sensor == "a,b" && out[0].value.description == "12.50" && out[0].unit == "°C" && out[0].quality == .uncertain)
        #expect(out[0].receiveTime.description == "2026-11-27T03:37:11.300Z")
        #expect(out[1].sensor == "plain" && out[1].receiveTime == out[1].sourceTime)
    }
}

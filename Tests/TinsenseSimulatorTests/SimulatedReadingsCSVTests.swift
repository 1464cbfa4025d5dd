import Testing
import TinsenseCore
import TinsenseSimulator

@Suite("simulated readings CSV")
struct SimulatedReadingsCSVTests {
    static let start = Timestamp(millisecondsSinceEpoch: 1_772_431_200_000)  // 2026-03-02T06:00:00Z

    @Test("header, one row per valued message in time order with the value as sent, malformed payloads left out")
    func rows() throws {
        let faults = try FaultSpecParser.parse("malformed:cell03/pulp_level@1m+10s", seed: 4, horizonMilliseconds: 120_000)
        let model = PlantModel(seed: 4, start: Self.start, faults: faults)
        var chunks: [[UInt8]] = []
        let written = SimulatedReadingsCSV.write(model, durationMilliseconds: 120_000) { chunks.append($0) }
        let text = String(decoding: chunks.joined(), as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.first == "sensor,topic,timestamp,value")
        #expect(lines.last == "")  // every row ends in a newline
        #expect(lines.count - 2 == written)

        var copy = model
        let messages = copy.messages(upTo: Self.start.adding(milliseconds: 120_000))
        let valued = messages.filter { $0.sentValue != nil }
        #expect(messages.count > valued.count, "the malformed fault sent payloads without a value")
        #expect(written == valued.count)
        let first = try #require(valued.first)
        #expect(lines[1] == "\(first.sensor),\(first.topic),\(RFC3339.format(first.time)),\(first.sentValue!.description)")
        #expect(!lines.contains { $0.hasPrefix("cell03/pulp_level,") && $0.contains("T06:01:0") })
    }

    @Test("an hour of plant per chunk, the header in the first")
    func chunks() {
        var sizes: [Int] = []
        var firstChunk: [UInt8] = []
        _ = SimulatedReadingsCSV.write(PlantModel(seed: 4, start: Self.start), durationMilliseconds: 2 * 3_600_000 + 1000) {
            if sizes.isEmpty { firstChunk = $0 }
            sizes.append($0.count)
        }
        #expect(sizes.count == 4)  // two hours, one second, and the final (empty) flush
        #expect(sizes.last == 0)
        #expect(firstChunk.starts(with: Array(SimulatedReadingsCSV.header.utf8)))
    }
}

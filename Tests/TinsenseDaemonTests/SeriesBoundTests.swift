import Foundation
import Testing
import TinsenseAlerts
import TinsenseConfig
import TinsenseCore
import TinsenseStorage
import TinsenseTestSupport
import TinsenseValidate
@testable import TinsenseDaemon

/// Issue 9, finding 6: per-sensor state is bounded by `max_series`.
@Suite("Pipeline series bound")
struct SeriesBoundTests {
    @Test("a flood of 50,000 new topics: sensors beyond max_series are quarantined as series_limit before they get any state")
    func topicFlood() throws {
        let dir = TemporaryDirectory("series-flood")
        let config = try ConfigLoader.parse("""
            [[sensor]]
            topic = "rel/{a}/{b}"
            id = "{a}/{b}"
            """, file: "flood.toml")
        let output = AlertOutput(log: try AlertLog(path: dir.file("alerts.jsonl")), republisher: nil, logger: quietLogger)
        let detection = DetectionStage(config: config, output: output)
        let bound = 1000
        let f = try PipelineFixture(policy: ValidationPolicy(maxSeries: bound), dir: dir, detection: detection)
        let receive = pipelineT0.adding(milliseconds: 60_000)
        let started = ContinuousClock.now
        for i in 0..<50_000 {
            f.process(topic: "rel/flood/s\(i)", payload: readingJSON(value: i, at: receive), receive: receive)
        }
        let elapsed = ContinuousClock.now - started
        #expect(f.pipeline.validator.sensorCount == bound)
        #expect(f.store.seriesCount == bound)
        #expect(detection.detectorCount == bound)
        #expect(f.pipeline.counters.readingsStored == bound)
        #expect(f.pipeline.counters.quarantined[.seriesLimit] == 50_000 - bound)
        let entries = try f.quarantineEntries()
        #expect(entries.count == 50_000 - bound)
        #expect(entries.allSatisfy { $0.reason == "series_limit" })
        // Sensors already known keep working; new ones stay refused.
        f.process(topic: "rel/flood/s7", payload: readingJSON(value: 8, at: receive.adding(milliseconds: 1000)), receive: receive.adding(milliseconds: 1000))
        f.process(topic: "rel/flood/s49999", payload: readingJSON(value: 8, at: receive.adding(milliseconds: 1000)), receive: receive.adding(milliseconds: 1000))
        #expect(f.pipeline.counters.readingsStored == bound + 1)
        #expect(f.pipeline.counters.quarantined[.seriesLimit] == 50_000 - bound + 1)
        #expect(f.pipeline.validator.sensorCount == bound)
        print("series flood: 50,000 topics in \(elapsed), bound \(bound) held")
    }
}

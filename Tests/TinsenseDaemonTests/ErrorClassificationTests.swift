import Foundation
import Testing
import TinsenseCore
import TinsenseStorage
import TinsenseTestSupport
import TinsenseValidate
@testable import TinsenseDaemon

/// Issue 9, finding 1: one sensor's content must never stop the plant's ingestion.
@Suite("Pipeline error classification")
struct ErrorClassificationTests {
    /// Three batches of 1,000 readings on one topic, every reading with a different `unit`
    /// (a firmware bug that puts a serial number there).
    static func unitFlood(_ f: PipelineFixture) {
        for batch in 0..<3 {
            let items = (0..<1000).map { i in
                let n = batch * 1000 + i
                return readingJSON(value: n, at: pipelineT0.adding(milliseconds: Int64(n) * 10), unit: "SN-\(n)")
            }
            f.process(topic: "rel/line1/serial_bug", payload: "[" + items.joined(separator: ",") + "]",
                      receive: pipelineT0.adding(milliseconds: 30_000))
        }
        f.process(topic: "rel/line1/healthy", payload: readingJSON(value: 7, at: pipelineT0.adding(milliseconds: 30_000)),
                  receive: pipelineT0.adding(milliseconds: 30_000))
    }

    @Test("a flood of distinct units on one sensor does not stop another sensor's readings")
    func unitFloodDoesNotWedge() throws {
        let f = try PipelineFixture()
        let lent = Lent(value: f)
        #expect(finishes(within: 20) { Self.unitFlood(lent.value) }, "the pipeline hung on the unit flood")
        try #require(f.pipeline.counters.messages == 4)
        #expect(f.pipeline.counters.readingsStored >= 1)
        #expect(f.store.seriesCount == 2)
        let entries = try f.quarantineEntries()
        #expect(entries.count + f.pipeline.counters.readingsStored == 3001, "every reading is stored or quarantined")
    }
}

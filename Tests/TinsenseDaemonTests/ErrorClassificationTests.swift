import Foundation
import Logging
import Testing
import TinsenseConfig
import TinsenseCore
import TinsenseStorage
import TinsenseSystem
import TinsenseTestSupport
import TinsenseValidate
@testable import TinsenseDaemon

/// Issue 9, finding 1: one sensor's content must never stop the plant's ingestion.
@Suite("Pipeline error classification")
struct ErrorClassificationTests {
    static let floodTopic = "rel/line1/serial_bug"
    static let healthyTopic = "rel/line1/healthy"
    static let receive = pipelineT0.adding(milliseconds: 30_000)

    /// Three batches of 1,000 readings on one topic, every reading with a different `unit`
    /// (a firmware bug that puts a serial number there).
    static func floodPayloads() -> [String] {
        (0..<3).map { batch in
            let items = (0..<1000).map { i in
                let n = batch * 1000 + i
                return readingJSON(value: n, at: pipelineT0.adding(milliseconds: Int64(n) * 10), unit: "SN-\(n)")
            }
            return "[" + items.joined(separator: ",") + "]"
        }
    }

    static let healthyPayload = readingJSON(value: 7, at: receive)

    static func unitFlood(_ f: PipelineFixture) {
        for p in floodPayloads() { f.process(topic: floodTopic, payload: p, receive: receive) }
        f.process(topic: healthyTopic, payload: healthyPayload, receive: receive)
    }

    @Test("a flood of distinct units: 16 are stored, the rest quarantined as unit_limit, another sensor is still stored")
    func unitFloodDoesNotWedge() throws {
        let f = try PipelineFixture()
        let lent = Lent(value: f)
        try #require(finishes(within: 20) { Self.unitFlood(lent.value) }, "the pipeline hung on the unit flood")
        #expect(f.pipeline.counters.messages == 4)
        #expect(f.pipeline.counters.readingsStored == 16 + 1)
        #expect(f.store.seriesCount == 2)
        let entries = try f.quarantineEntries()
        #expect(entries.count == 3000 - 16)
        #expect(entries.allSatisfy { $0.reason == "unit_limit" && $0.sensor == "line1/serial_bug" })
        #expect(f.pipeline.counters.quarantined[.unitLimit] == 3000 - 16)
    }

    @Test("the head's 2048 unit/quality/flags combinations (today's wedge) quarantine as unit_limit instead of retrying forever")
    func headCombinationLimitIsPermanent() throws {
        // A validator bound above the head's: the store's own refusal is what is exercised.
        let f = try PipelineFixture(policy: ValidationPolicy(maxUnitsPerSeries: 100_000))
        let lent = Lent(value: f)
        try #require(finishes(within: 20) { Self.unitFlood(lent.value) }, "the pipeline hung on the unit flood")
        #expect(f.pipeline.counters.readingsStored == 2048 + 1)
        #expect(f.pipeline.counters.quarantined[.unitLimit] == 3000 - 2048)
        let entries = try f.quarantineEntries()
        #expect(entries.count == 3000 - 2048)
        #expect(entries.allSatisfy { $0.reason == "unit_limit" && $0.detail.contains("2048") })
        // The healthy sensor's reading is in the head, next to the flooded one.
        #expect(f.store.seriesCount == 2)
        #expect(f.store.headSampleCount == 2048 + 1)
    }

    @Test("WAL replay at startup runs the same record through without wedging, twice, without duplicate quarantine lines")
    func replayDoesNotWedge() throws {
        let dir = TemporaryDirectory("replay")
        do {
            let wal = try WriteAheadLog(directory: dir.path, logger: quietLogger)
            for p in Self.floodPayloads() + [Self.healthyPayload] {
                let topic = p == Self.healthyPayload ? Self.healthyTopic : Self.floodTopic
                _ = try wal.append(WALRecord(receiveTime: Self.receive, qos: 1, topic: Array(topic.utf8), payload: Array(p.utf8)))
            }
            try wal.sync()
            try wal.close()
        }
        var linesAfterFirst = 0
        for restart in 0..<2 {
            // A restart that did not seal: the whole WAL is replayed again.
            let wal = try WriteAheadLog(directory: dir.path, logger: quietLogger)
            let f = try PipelineFixture(policy: ValidationPolicy(maxUnitsPerSeries: 100_000), dir: dir, wal: wal)
            let store = Lent(value: f.store)
            let daemon = Daemon(config: Config(), logger: quietLogger) { _, _, _, _ in store.value }
            let lent = Lent(value: (daemon, wal, f))
            try #require(finishes(within: 20) { try! lent.value.0.replay(wal: lent.value.1, pipeline: lent.value.2.pipeline) },
                         "replay hung on restart \(restart)")
            #expect(f.pipeline.counters.replayedMessages == 4)
            #expect(f.pipeline.counters.readingsStored == 2048 + 1)
            let lines = try f.quarantineEntries().count
            if restart == 0 { linesAfterFirst = lines } else { #expect(lines == linesAfterFirst, "replay duplicated quarantine lines") }
            #expect(linesAfterFirst == 3000 - 2048)
            try wal.close()
        }
    }

    @Test("errno classification: space, quota, I/O and resource shortages pass; the rest is permanent")
    func errnoClasses() {
        for e in [ENOSPC, EDQUOT, EIO, EAGAIN, EINTR, ENOMEM] { #expect(ErrorClass.of(errno: e) == .transient) }
        for e in [EBADF, EACCES, EROFS, ENAMETOOLONG, EINVAL, EFBIG] { #expect(ErrorClass.of(errno: e) == .permanentForReading) }
        #expect(ErrorClass.of(StorageError.headFull(samples: 1)) == .transient)
        #expect(ErrorClass.of(StorageError.tooManyUnitCombinations(2048)) == .permanentForReading)
        #expect(ErrorClass.of(CocoaError(.fileReadUnknown)) == .permanentForReading, "an unknown error is never retried forever")
    }

    @Test("a transient error is waited out, a permanent one is returned at once")
    func retryOnlyWhatPasses() {
        var calls = 0
        let full = DiskRetry.untilWrittenOrRefused(logger: quietLogger, what: "test") { () throws -> Int in
            calls += 1
            if calls < 3 { throw ErrnoError(errno: ENOSPC) }
            return 42
        }
        #expect((try? full.get()) == 42)
        #expect(calls == 3)
        calls = 0
        let denied = DiskRetry.untilWrittenOrRefused(logger: quietLogger, what: "test") { () throws -> Int in
            calls += 1
            throw ErrnoError(errno: EROFS)
        }
        #expect(calls == 1)
        #expect((try? denied.get()) == nil)
    }

    @Test("a unit of 65,536 bytes is refused by storage as unit_too_long, not written into an unreadable chunk")
    func longUnit() throws {
        let f = try PipelineFixture()
        f.process(topic: Self.healthyTopic, payload: readingJSON(value: 1, at: Self.receive, unit: String(repeating: "u", count: 65_536)), receive: Self.receive)
        f.process(topic: Self.healthyTopic, payload: readingJSON(value: 2, at: Self.receive.adding(milliseconds: 1)), receive: Self.receive)
        #expect(f.pipeline.counters.quarantined[.unitTooLong] == 1)
        #expect(f.pipeline.counters.readingsStored == 1)
        try f.store.sealNow(processedThrough: nil, now: Self.receive)
        for path in f.store.segmentPaths { _ = try SegmentFile(path: path) }
    }
}

/// An error classified by its errno, as `PosixIO.Failure` is (whose initializer is the
/// system layer's own).
private struct ErrnoError: ClassifiedError {
    var errno: Int32
    var errorClass: ErrorClass { ErrorClass.of(errno: errno) }
}

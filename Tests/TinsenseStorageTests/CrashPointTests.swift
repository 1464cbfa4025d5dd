import Foundation
import Testing
import TinsenseTestSupport
import TinsenseCore
@testable import TinsenseStorage

/// A miniature pipeline: WAL payload `sensor|time|value` → reading. Enough to replay the WAL
/// the way the daemon does after a restart.
enum MiniPipeline {
    static func payload(_ r: Reading) -> [UInt8] {
        Array("\(r.sensor)|\(r.sourceTime.millisecondsSinceEpoch)|\(r.value)".utf8)
    }

    static func decode(_ record: WALRecord) -> Reading {
        let parts = String(decoding: record.payload, as: UTF8.self).split(separator: "|")
        return Reading(sensor: String(parts[0]), sourceTime: Timestamp(millisecondsSinceEpoch: Int64(parts[1])!),
                       receiveTime: record.receiveTime, value: DecimalValue(parts[2])!)
    }

    /// Ingests like the daemon: WAL append, then store append, then seal when due.
    static func ingest(_ readings: [Reading], wal: WriteAheadLog, store: SegmentStore, now: Int64) throws {
        var end: WALPosition?
        for r in readings {
            end = try wal.append(WALRecord(receiveTime: r.receiveTime, qos: 1, topic: Array(r.sensor.utf8), payload: payload(r)))
            _ = try store.append(r)
        }
        try store.sealDueAndApplyRetention(processedThrough: end, now: Timestamp(millisecondsSinceEpoch: now))
    }

    /// Restart: open WAL and store, replay from the checkpoint, seal everything.
    static func restart(_ dir: String) throws -> SegmentStore {
        let wal = try WriteAheadLog(directory: dir, maxFileBytes: 1 << 20, logger: quietLogger)
        let store = try SegmentStore(directory: dir, options: StorageOptions(sealIntervalMs: 1000), wal: wal, logger: quietLogger)
        var end: WALPosition?
        for entry in try wal.records(from: store.checkpoint) {
            _ = try store.append(decode(entry.record))
            end = entry.end
        }
        try store.sealNow(processedThrough: end ?? store.checkpoint, now: Timestamp(millisecondsSinceEpoch: 10_000_000))
        return store
    }
}

@Suite("crash points")
struct CrashPointTests {
    func batch(_ start: Int64, _ n: Int) -> [Reading] {
        (0..<n).flatMap { i in
            ["a/x", "b/y z", "c/../etc"].map { s in
                reading(s, start + Int64(i) * 1000, "\(Int64(i) * 7 - 50).\(i % 10)5", receive: start + Int64(i) * 1000 + 3)
            }
        }
    }

    @Test("stopping at any step of a seal never shows a partial segment nor loses or duplicates a reading")
    func everyStep() throws {
        let dir = TemporaryDirectory()
        let snapshots = TemporaryDirectory("snapshots")
        let wal = try WriteAheadLog(directory: dir.path, maxFileBytes: 1 << 20, logger: quietLogger)
        let store = try SegmentStore(directory: dir.path, options: StorageOptions(sealIntervalMs: 1000), wal: wal, logger: quietLogger)
        let first = batch(1_000_000, 200)
        let second = batch(2_000_000, 150)
        var taken: [String] = []
        // The first seal runs normally; snapshots are taken during the second.
        try MiniPipeline.ingest(first, wal: wal, store: store, now: 0)
        try MiniPipeline.ingest([], wal: wal, store: store, now: 5_000)
        #expect(store.segmentCount == 1)
        store.sealObserver = { step in
            let path = snapshots.path + "/" + step.rawValue
            copyTree(dir.path, to: path)
            taken.append(path)
        }
        try MiniPipeline.ingest(second, wal: wal, store: store, now: 6_000)
        try MiniPipeline.ingest([], wal: wal, store: store, now: 9_000)
        #expect(taken.count == SealStep.allCases.count)

        // Before the first step as well: a torn temporary file.
        let torn = snapshots.path + "/torn-temporary"
        copyTree(taken[0], to: torn)
        let tmp = listFiles(torn + "/segments").first { $0.hasSuffix(".tmp") }!
        let bytes = fileBytes(torn + "/segments/" + tmp)
        writeBytes(Array(bytes.prefix(bytes.count / 2)), to: torn + "/segments/" + tmp)
        taken.append(torn)

        let expected = Set((first + second).map { "\($0.sensor)@\($0.sourceTime.millisecondsSinceEpoch)=\($0.value)" })
        for snapshot in taken {
            let restarted = try MiniPipeline.restart(snapshot)
            #expect(!listFiles(snapshot + "/segments").contains { $0.hasSuffix(".tmp") }, "\(snapshot)")
            #expect(try DataDirectory(path: snapshot).verify().isEmpty, "\(snapshot)")
            let out = try allReadings(snapshot)
            let keys = out.map { "\($0.sensor)@\($0.sourceTime.millisecondsSinceEpoch)=\($0.value)" }
            #expect(keys.count == expected.count, "\(snapshot): \(keys.count) readings, expected \(expected.count)")
            let same = Set(keys) == expected
            #expect(same, "\(snapshot): readings differ")
            #expect(restarted.headSampleCount == 0)
        }
    }

    @Test("replaying the same WAL twice stores every reading once")
    func idempotentReplay() throws {
        let dir = TemporaryDirectory()
        do {
            let wal = try WriteAheadLog(directory: dir.path, maxFileBytes: 1 << 20, logger: quietLogger)
            let store = try SegmentStore(directory: dir.path, wal: wal, logger: quietLogger)
            for r in batch(1_000_000, 50) {
                try wal.append(WALRecord(receiveTime: r.receiveTime, qos: 1, topic: [], payload: MiniPipeline.payload(r)))
                _ = try store.append(r)
            }
            // Crash before any seal: the head is lost, the WAL holds everything.
        }
        _ = try MiniPipeline.restart(dir.path)
        // A second restart replays from the new checkpoint: nothing more to add.
        let again = try MiniPipeline.restart(dir.path)
        #expect(try allReadings(dir.path).count == 150)
        #expect(again.segmentCount == 1)
        // Broker redelivery of an old message is refused as a duplicate.
        #expect(try again.append(batch(1_000_000, 1)[0]) == .duplicate)
    }

    @Test("a failed seal leaves no segment, keeps the head and succeeds on the next attempt")
    func failedSeal() throws {
        let dir = TemporaryDirectory()
        let store = try SegmentStore(directory: dir.path, options: StorageOptions(sealIntervalMs: 0), wal: nil, logger: quietLogger)
        for r in batch(1_000, 20) { _ = try store.append(r) }
        // Block the temporary file's name: open(O_EXCL) fails as a full disk would.
        let blocker = dir.path + "/segments/00000001.seg.tmp"
        try FileManager.default.createDirectory(atPath: blocker, withIntermediateDirectories: false)
        #expect(throws: (any Error).self) { try store.sealDueAndApplyRetention(processedThrough: nil, now: Timestamp(millisecondsSinceEpoch: 1)) }
        #expect(store.headSampleCount == 60)
        #expect(try DataDirectory(path: dir.path).segmentFiles().isEmpty)
        try FileManager.default.removeItem(atPath: blocker)
        try store.sealDueAndApplyRetention(processedThrough: nil, now: Timestamp(millisecondsSinceEpoch: 2))
        #expect(store.headSampleCount == 0)
        #expect(try allReadings(dir.path).count == 60)
    }
}

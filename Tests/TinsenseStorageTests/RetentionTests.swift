import Testing
import TinsenseTestSupport
import TinsenseCore
@testable import TinsenseStorage

@Suite("retention")
struct RetentionTests {
    /// Seals one segment per hour of data, hours 0..<count.
    func hourly(_ store: SegmentStore, count: Int) throws {
        for h in 0..<count {
            for m in 0..<60 {
                _ = try store.append(reading("s/\(h % 2)", Int64(h) * 3_600_000 + Int64(m) * 60_000, "\(h).\(m)"))
            }
            try store.sealNow(processedThrough: nil, now: Timestamp(millisecondsSinceEpoch: Int64(h + 1) * 3_600_000))
        }
    }

    @Test("retention by age removes exactly the segments whose newest sample is older than the limit")
    func byAge() throws {
        let dir = TemporaryDirectory()
        let store = try SegmentStore(directory: dir.path, options: StorageOptions(retentionAgeMs: 3 * 3_600_000), wal: nil, logger: quietLogger)
        try hourly(store, count: 3)
        #expect(store.segmentCount == 3)
        // At 10:00, the hours 0–6 end before 07:00 and expire: all three sealed so far.
        try store.sealDueAndApplyRetention(processedThrough: nil, now: Timestamp(millisecondsSinceEpoch: 10 * 3_600_000))
        #expect(store.segmentCount == 0)
        try hourly(store, count: 0)
        let dir2 = TemporaryDirectory()
        let store2 = try SegmentStore(directory: dir2.path, options: StorageOptions(retentionAgeMs: 2 * 3_600_000 + 1), wal: nil, logger: quietLogger)
        try hourly(store2, count: 6)
        // The last seal, at 06:00, cut at 03:59:59.999: hour 3 (newest sample 03:59) went too.
        let remaining = try allReadings(dir2.path).map { $0.sourceTime.millisecondsSinceEpoch / 3_600_000 }
        #expect(Set(remaining) == [4, 5])
        #expect(store2.segmentCount == 2)
    }

    @Test("retention by size removes the oldest segments until the total fits")
    func bySize() throws {
        let dir = TemporaryDirectory()
        let probe = TemporaryDirectory()
        let sizing = try SegmentStore(directory: probe.path, wal: nil, logger: quietLogger)
        try hourly(sizing, count: 6)
        let sizes = try DataDirectory(path: probe.path).inspect().segments.map { Int64($0.bytes) }
        // Room for the newest two and not quite three.
        let limit = sizes[4] + sizes[5] + min(sizes[3], sizes[2]) - 1
        let store = try SegmentStore(directory: dir.path, options: StorageOptions(retentionBytes: limit), wal: nil, logger: quietLogger)
        try hourly(store, count: 6)
        let hours = Set(try allReadings(dir.path).map { $0.sourceTime.millisecondsSinceEpoch / 3_600_000 })
        #expect(hours == [4, 5])
        #expect(try DataDirectory(path: dir.path).inspect().segmentBytes <= UInt64(limit))
    }

    @Test("the checkpoint survives retention of the segment that carried it")
    func checkpointSurvives() throws {
        let dir = TemporaryDirectory()
        let store = try SegmentStore(directory: dir.path, options: StorageOptions(retentionAgeMs: 1), wal: nil, logger: quietLogger)
        _ = try store.append(reading("s", 0, "1"))
        try store.sealNow(processedThrough: WALPosition(file: 3, offset: 99), now: Timestamp(millisecondsSinceEpoch: 10_000))
        #expect(store.segmentCount == 0)
        let reopened = try SegmentStore(directory: dir.path, wal: nil, logger: quietLogger)
        #expect(reopened.checkpoint == WALPosition(file: 3, offset: 99))
    }
}

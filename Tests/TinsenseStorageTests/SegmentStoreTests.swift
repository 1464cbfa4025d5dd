import Testing
import TinsenseTestSupport
import TinsenseCore
@testable import TinsenseStorage

@Suite("segment store")
struct SegmentStoreTests {
    @Test("sealed readings come back exactly, per series in time order")
    func roundTrip() throws {
        let dir = TemporaryDirectory()
        let store = try SegmentStore(directory: dir.path, wal: nil, logger: quietLogger)
        let input = [
            reading("plant/a", 1_000, "12.50", receive: 1_020, unit: "°C"),
            reading("plant/a", 2_000, "-0.001", receive: 2_015, unit: "°C", quality: .uncertain, flags: .qualityDowngraded),
            reading("plant/b c/../x", 1_500, "1e3"),
            reading("plant/a", 3_000, "12.50", receive: 3_500, unit: "K"),
        ]
        for r in input { #expect(try store.append(r) == .stored) }
        try store.sealNow(processedThrough: nil, now: Timestamp(millisecondsSinceEpoch: 10_000))
        let out = try allReadings(dir.path)
        #expect(out == [input[0], input[1], input[3], input[2]])
        #expect(out[0].value.description == "12.50")
        #expect(out[3].value.description == "1000")
    }

    @Test("a repeated (sensor, source time) is refused in the head and after sealing")
    func duplicates() throws {
        let dir = TemporaryDirectory()
        let store = try SegmentStore(directory: dir.path, wal: nil, logger: quietLogger)
        #expect(try store.append(reading("s", 1_000, "1")) == .stored)
        #expect(try store.append(reading("s", 1_000, "2")) == .duplicate)
        try store.sealNow(processedThrough: nil, now: Timestamp(millisecondsSinceEpoch: 5_000))
        #expect(try store.append(reading("s", 1_000, "3")) == .duplicate)
        let reopened = try SegmentStore(directory: dir.path, wal: nil, logger: quietLogger)
        #expect(try reopened.append(reading("s", 1_000, "3")) == .duplicate)
        #expect(try reopened.append(reading("s", 2_000, "3")) == .stored)
    }

    @Test("late readings within tolerance are stored in order; beyond it they are refused as too late")
    func tolerance() throws {
        let dir = TemporaryDirectory()
        let options = StorageOptions(outOfOrderToleranceMs: 10_000)
        let store = try SegmentStore(directory: dir.path, options: options, wal: nil, logger: quietLogger)
        for t in stride(from: Int64(100_000), through: 200_000, by: 1_000) {
            #expect(try store.append(reading("s", t, "\(t / 1000)")) == .stored)
        }
        #expect(try store.append(reading("s", 195_500, "7")) == .stored)
        #expect(try store.append(reading("s", 150_500, "7")) == .tooLate)
        #expect(try store.append(reading("s", 150_000, "7")) == .duplicate)
        try store.sealNow(processedThrough: nil, now: Timestamp(millisecondsSinceEpoch: 300_000))
        #expect(try store.append(reading("s", 189_999, "1")) == .tooLate)
        #expect(try store.append(reading("s", 191_500, "1")) == .stored)
        try store.sealNow(processedThrough: nil, now: Timestamp(millisecondsSinceEpoch: 300_000))
        let times = try allReadings(dir.path).map(\.sourceTime.millisecondsSinceEpoch)
        #expect(times == times.sorted())
        #expect(times.count == 103)
        #expect(times.contains(195_500) && times.contains(191_500))
    }
}

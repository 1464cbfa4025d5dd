import Testing
import TinsenseTestSupport
import TinsenseCore
@testable import TinsenseStorage

@Suite("corruption")
struct CorruptionTests {
    /// Two sealed segments of three series each and a WAL with records in it.
    func build(_ dir: String) throws -> (first: [Reading], second: [Reading], segments: [String]) {
        let wal = try WriteAheadLog(directory: dir, maxFileBytes: 1 << 20, logger: quietLogger)
        let store = try SegmentStore(directory: dir, options: StorageOptions(sealIntervalMs: 0), wal: wal, logger: quietLogger)
        func make(_ base: Int64) -> [Reading] {
            (0..<300).flatMap { i in
                ["p/1", "p/2", "q"].map { reading($0, base + Int64(i) * 1000, "\(i % 17 - 8).\(i % 9)\(i % 4)") }
            }
        }
        let first = make(1_000_000), second = make(5_000_000)
        try MiniPipeline.ingest(first, wal: wal, store: store, now: 1)
        try MiniPipeline.ingest(second, wal: wal, store: store, now: 2)
        // Leave unsealed records in the WAL too.
        // A third segment, and a WAL whose records are all checkpointed.
        let third = [reading("w", 9_000_000, "1")]
        try MiniPipeline.ingest(third, wal: wal, store: store, now: 2)
        return (first, second + third, store.segmentPaths)
    }

    func key(_ r: Reading) -> String { "\(r.sensor)@\(r.sourceTime.millisecondsSinceEpoch)=\(r.value)" }

    @Test("a flipped byte anywhere in a segment is reported by verify; export keeps the other segment and never crashes")
    func flippedSegmentBytes() throws {
        let dir = TemporaryDirectory()
        let (first, second, segments) = try build(dir.path)
        #expect(try DataDirectory(path: dir.path).verify().isEmpty)
        let target = segments[0]
        let original = fileBytes(target)
        let all = Set((first + second).map(key))
        let untouched = Set(second.map(key))
        for offset in stride(from: 0, to: original.count, by: max(1, original.count / 97)) + [original.count - 1] {
            var bad = original
            bad[offset] ^= 0x5A
            writeBytes(bad, to: target)
            let damage = try DataDirectory(path: dir.path).verify()
            #expect(damage.contains { $0.path == target }, "flip at \(offset) not reported")
            let cursor = try DataDirectory(path: dir.path).readings()
            let out = Set(Array(cursor).map(key))
            let invented = out.subtracting(all)
            let lost = untouched.subtracting(out)
            #expect(invented.isEmpty, "flip at \(offset) invented \(invented.count) readings")
            #expect(lost.isEmpty, "flip at \(offset) lost \(lost.count) readings of the intact segments")
            #expect(!cursor.damage.isEmpty || out == all, "flip at \(offset): export did not report damage")
        }
        writeBytes(original, to: target)
        #expect(try DataDirectory(path: dir.path).verify().isEmpty)
    }

    @Test("a truncated segment is reported; chunks before the cut are still exported")
    func truncatedSegment() throws {
        let dir = TemporaryDirectory()
        let (first, second, segments) = try build(dir.path)
        let target = segments[0]
        let original = fileBytes(target)
        let firstKeys = Set(first.map(key))
        var salvagedSomething = false
        for cut in stride(from: 0, to: original.count, by: max(1, original.count / 61)) {
            writeBytes(Array(original.prefix(cut)), to: target)
            #expect(try DataDirectory(path: dir.path).verify().contains { $0.path == target })
            let out = Set(Array(try DataDirectory(path: dir.path).readings()).map(key))
            let lost = Set(second.map(key)).subtracting(out)
            #expect(lost.isEmpty, "cut at \(cut) lost \(lost.count) readings of the intact segments")
            let recovered = out.intersection(firstKeys)
            let invented = out.subtracting(firstKeys).subtracting(Set(second.map(key)))
            #expect(invented.isEmpty, "cut at \(cut) invented \(invented.count) readings")
            if !recovered.isEmpty { salvagedSomething = true }
        }
        #expect(salvagedSomething, "index-less salvage recovered nothing at any cut")
        // The store opens a directory with a damaged segment without crashing.
        writeBytes(Array(original.prefix(original.count / 2)), to: target)
        _ = try SegmentStore(directory: dir.path, wal: nil, logger: quietLogger)
    }

    @Test("damage in the WAL is reported with file and offset; reopening keeps every record before it")
    func walDamage() throws {
        let dir = TemporaryDirectory()
        let wal = try WriteAheadLog(directory: dir.path, maxFileBytes: 1 << 20, logger: quietLogger)
        let records = (0..<100).map { i in
            WALRecord(receiveTime: Timestamp(millisecondsSinceEpoch: Int64(i)), qos: 1, topic: Array("t/\(i)".utf8),
                      payload: Array("s|\(i)|\(i).5".utf8))
        }
        for r in records { try wal.append(r) }
        try wal.close()
        let path = dir.path + "/wal/" + listFiles(dir.path + "/wal")[0]
        let original = fileBytes(path)
        for offset in stride(from: 8, to: original.count, by: 37) {
            var bad = original
            bad[offset] ^= 0xFF
            writeBytes(bad, to: path)
            let damage = try DataDirectory(path: dir.path).verify()
            #expect(damage.contains { $0.path == path && $0.offset <= UInt64(offset) }, "flip at \(offset)")
            let reopened = try WriteAheadLog(directory: dir.path, maxFileBytes: 1 << 20, logger: quietLogger)
            let kept = Array(try reopened.records(from: nil)).map(\.record)
            #expect(kept == Array(records.prefix(kept.count)), "records before the damage changed")
            #expect(kept.count < records.count)
            try reopened.close()
        }
    }
}

import Foundation
import Testing
import TinsenseTestSupport
import TinsenseCore
@testable import TinsenseStorage

/// The exhaustive companion of `CorruptionTests`: damage at every offset (more than 1,000 per
/// file kind), and the stronger promise that everything before the damage is kept, not only
/// the other files. Each case runs the real readers on real files: WAL recovery
/// (`WriteAheadLog` open, then `records`), `verify`, and the segment readers behind export.
@Suite("corruption sweep", .timeLimit(.minutes(5)))
struct CorruptionSweepTests {
    func key(_ r: Reading) -> String { "\(r.sensor)@\(r.sourceTime.millisecondsSinceEpoch)=\(r.value)" }

    /// One WAL file of records of varied sizes (topics and payloads of 0 to ~300 bytes).
    func walRecords() -> [WALRecord] {
        (0..<120).map { i in
            WALRecord(receiveTime: Timestamp(millisecondsSinceEpoch: 1_790_000_000_000 + Int64(i)), qos: UInt8(i % 2),
                      topic: Array("plant/line\(i % 3)/s\(i)".utf8), payload: Array(String(repeating: "p\(i)|", count: i % 60).utf8))
        }
    }

    /// Where each record ends in the file (the WAL's own positions).
    func walEnds(_ dir: String, _ records: [WALRecord]) throws -> (path: String, ends: [UInt64]) {
        let wal = try WriteAheadLog(directory: dir, maxFileBytes: 1 << 20, logger: quietLogger)
        var ends: [UInt64] = []
        for r in records { ends.append(try wal.append(r).offset) }
        try wal.close()
        return (dir + "/wal/" + listFiles(dir + "/wal")[0], ends)
    }

    /// Recovery as the daemon does it on start: open the log, read every record.
    func recover(_ dir: String) throws -> [WALRecord] {
        let wal = try WriteAheadLog(directory: dir, maxFileBytes: 1 << 20, logger: quietLogger)
        defer { try? wal.close() }
        return Array(try wal.records(from: nil)).map(\.record)
    }

    @Test("a WAL byte flipped at 1,500+ offsets: recovery keeps every record before it, verify reports it")
    func walFlipEverywhere() throws {
        let records = walRecords()
        let pristine = TemporaryDirectory()
        let (path, ends) = try walEnds(pristine.path, records)
        let original = fileBytes(path)
        #expect(original.count >= 1_000)
        var offsets = 0
        // Every offset of the file header and the first records, then a stride: 1,500+ in all.
        for offset in Array(0..<300) + Array(stride(from: 300, to: original.count, by: max(1, original.count / 1_300))) {
            let dir = TemporaryDirectory()
            let target = dir.path + "/wal/" + (path as NSString).lastPathComponent
            try FileManager.default.createDirectory(atPath: dir.path + "/wal", withIntermediateDirectories: true)
            var bad = original
            bad[offset] ^= 0x20
            writeBytes(bad, to: target)
            let damage = try DataDirectory(path: dir.path).verify()
            #expect(damage.contains { $0.path == target && $0.offset <= UInt64(offset) }, "flip at \(offset) not reported: \(damage)")
            let kept = try recover(dir.path)
            let before = ends.prefix { $0 <= UInt64(offset) }.count
            #expect(kept.count >= before && kept.count < records.count, "flip at \(offset): kept \(kept.count), \(before) lie before it")
            #expect(kept == Array(records.prefix(kept.count)), "flip at \(offset) changed a kept record")
            offsets += 1
        }
        #expect(offsets >= 1_000)
    }

    @Test("a WAL cut at 1,500+ offsets: recovery keeps exactly the whole records before the cut and appends after them")
    func walTruncateEverywhere() throws {
        let records = walRecords()
        let pristine = TemporaryDirectory()
        let (path, ends) = try walEnds(pristine.path, records)
        let original = fileBytes(path)
        var cuts = 0
        for cut in Array(0..<300) + Array(stride(from: 300, to: original.count, by: max(1, original.count / 1_300))) {
            cuts += 1
            let dir = TemporaryDirectory()
            let target = dir.path + "/wal/" + (path as NSString).lastPathComponent
            try FileManager.default.createDirectory(atPath: dir.path + "/wal", withIntermediateDirectories: true)
            writeBytes(Array(original.prefix(cut)), to: target)
            let whole = ends.prefix { $0 <= UInt64(cut) }.count
            let kept = try recover(dir.path)
            #expect(kept == Array(records.prefix(whole)), "cut at \(cut): kept \(kept.count) records, \(whole) were whole")
            // The log stays writable after recovery: a new record follows the kept ones.
            let wal = try WriteAheadLog(directory: dir.path, maxFileBytes: 1 << 20, logger: quietLogger)
            let extra = WALRecord(receiveTime: Timestamp(millisecondsSinceEpoch: 1), qos: 1, topic: Array("after".utf8), payload: Array("cut \(cut)".utf8))
            try wal.append(extra)
            try wal.close()
            let again = try recover(dir.path)
            #expect(again == Array(records.prefix(whole)) + [extra], "cut at \(cut): the record appended after recovery is not read back after the kept ones")
        }
        #expect(cuts >= 1_000)
    }

    /// One sealed segment of several series and records, with where each chunk lies.
    func segment(_ dir: String) throws -> (path: String, chunks: [(end: UInt64, keys: Set<String>)], all: Set<String>) {
        let store = try SegmentStore(directory: dir, options: StorageOptions(sealIntervalMs: 0), wal: nil, logger: quietLogger)
        var all: [Reading] = []
        for i in 0..<60 {
            for (k, s) in ["a/ph", "a/flow", "b/temp", "c/x y"].enumerated() {
                let r = reading(s, 1_000_000 + Int64(i) * (k == 3 ? 1_337 : 1_000), "\(i % 13 - 6).\(i % 7)\(k)", unit: i % 9 == 0 ? "u\(i)" : nil)
                _ = try store.append(r)
                all.append(r)
            }
        }
        try store.sealNow(processedThrough: nil, now: Timestamp(millisecondsSinceEpoch: 5))
        let path = store.segmentPaths[0]
        let file = try SegmentFile(path: path)
        var chunks: [(end: UInt64, keys: Set<String>)] = []
        for series in file.index.series {
            for ref in series.chunks {
                let (sensor, c) = try file.readChunk(ref)
                var keys = Set<String>()
                for i in c.sourceTimes.indices {
                    keys.insert("\(sensor)@\(c.sourceTimes[i])=\(DecimalValue(mantissa: c.mantissas[i], scale: c.scales[i]))")
                }
                chunks.append((ref.offset + UInt64(ref.length), keys))
            }
        }
        return (path, chunks, Set(all.map(key)))
    }

    @Test("a segment byte flipped or the file cut at 1,000+ offsets: verify reports it, export keeps every chunk before it and invents nothing")
    func segmentDamageEverywhere() throws {
        let dir = TemporaryDirectory()
        let (path, chunks, all) = try segment(dir.path)
        let original = fileBytes(path)
        #expect(Set(Array(try DataDirectory(path: dir.path).readings()).map(key)) == all)
        let step = max(1, original.count / 1_100)
        var cases = 0
        for offset in stride(from: 0, to: original.count, by: step) {
            for cut in [false, true] {
                var bad = original
                if cut { bad = Array(original.prefix(offset)) } else { bad[offset] ^= 0x01 }
                writeBytes(bad, to: path)
                let what = cut ? "cut at \(offset)" : "flip at \(offset)"
                #expect(try DataDirectory(path: dir.path).verify().contains { $0.path == path }, "\(what) not reported")
                let cursor = try DataDirectory(path: dir.path).readings()
                let out = Set(Array(cursor).map(key))
                let before = chunks.filter { $0.end <= UInt64(offset) }.reduce(into: Set<String>()) { $0.formUnion($1.keys) }
                #expect(before.isSubset(of: out), "\(what): lost \(before.subtracting(out).count) readings of chunks before the damage")
                #expect(out.isSubset(of: all), "\(what): invented \(out.subtracting(all).count) readings")
                #expect(!cursor.damage.isEmpty || out == all, "\(what): export did not report the damage")
                cases += 1
            }
        }
        #expect(cases >= 2_000)
        writeBytes(original, to: path)
        #expect(try DataDirectory(path: dir.path).verify().isEmpty)
    }
}

import Testing
import TinsenseTestSupport
import TinsenseCore
import TinsenseEncoding
@testable import TinsenseStorage

/// Series with identical source and receive times share one record (one time part);
/// docs/FORMAT.md, "Records" and "Index".
@Suite("shared time columns")
struct SharedTimesTests {
    func key(_ r: Reading) -> String {
        "\(r.sensor)@\(r.sourceTime.millisecondsSinceEpoch)/\(r.receiveTime.millisecondsSinceEpoch)=\(r.value)"
    }

    /// `count` readings per sensor at the given times; values differ per sensor.
    func readings(_ sensors: [String], times: [Int64], receive: ((Int64) -> Int64)? = nil) -> [Reading] {
        var out: [Reading] = []
        for (i, t) in times.enumerated() {
            for (k, s) in sensors.enumerated() {
                let value = "\((i * 37 + k * 11) % 200 - 100).\(k)\(i % 10)"
                out.append(reading(s, t, value, receive: receive?(t), unit: k == 1 ? "V" : nil))
            }
        }
        return out
    }

    func seal(_ input: [Reading], _ dir: String, options: StorageOptions = StorageOptions()) throws -> SegmentFile {
        let store = try SegmentStore(directory: dir, options: options, wal: nil, logger: quietLogger)
        for r in input { #expect(try store.append(r) == .stored) }
        try store.sealNow(processedThrough: nil, now: Timestamp(millisecondsSinceEpoch: 1))
        return try SegmentFile(path: store.segmentPaths.last!)
    }

    /// Members of each record, by sensor.
    func layout(_ file: SegmentFile) throws -> [[String]] {
        var members: [UInt64: [UInt32: String]] = [:]
        for s in file.index.series {
            for c in s.chunks { members[c.offset, default: [:]][c.member] = s.sensor }
        }
        return file.index.records.map { r in (0..<r.memberCount).map { members[r.offset]![$0]! } }
    }

    @Test("series with equal times share one record; unique times get their own; all round-trip exactly")
    func sharedAndUnique() throws {
        let dir = TemporaryDirectory()
        let times: [Int64] = (0..<300).map { (i: Int) -> Int64 in Int64(1_000_000 + i * 1000 + (i % 7) * 13) }
        let shared = readings(["plant/line1/current", "plant/line1/temp", "plant/line1/voltage", "plant/line1/x y/../z"],
                              times: times, receive: { $0 + 20 })
        let sameSourceOtherReceive = readings(["plant/line2/a"], times: times, receive: { $0 + 21 })
        let unique = readings(["solo"], times: times.map { $0 + 1 })
        let input = shared + sameSourceOtherReceive + unique
        let file = try seal(input, dir.path)
        #expect(try layout(file) == [
            ["plant/line1/current", "plant/line1/temp", "plant/line1/voltage", "plant/line1/x y/../z"],
            ["plant/line2/a"],
            ["solo"],
        ])
        #expect(file.index.sampleCount == UInt64(input.count))
        #expect(SegmentFile.verify(path: file.path).isEmpty)
        let out = try allReadings(dir.path)
        #expect(out.map(key).sorted() == input.map(key).sorted())
        // Each series comes out complete and in time order.
        #expect(out.filter { $0.sensor == "plant/line1/temp" }.map(\.sourceTime.millisecondsSinceEpoch) == times)
        #expect(out.filter { $0.sensor == "plant/line1/temp" }.allSatisfy { $0.unit == "V" })
    }

    @Test("a group longer than chunkMaxSamples is split into records chunk by chunk; a series matching only some chunks joins those")
    func chunkSplitting() throws {
        let dir = TemporaryDirectory()
        let times: [Int64] = (0..<50).map { (i: Int) -> Int64 in Int64(10_000 + i * 500) }
        let group = readings(["g/1", "g/2", "g/3"], times: times)
        // Same times as the group for the first 20 samples (all of chunk 0, part of chunk 1).
        let later: [Int64] = (20..<50).map { (i: Int) -> Int64 in Int64(10_000 + i * 500 + 1) }
        let partial = readings(["h"], times: Array(times.prefix(20)) + later)
        let file = try seal(group + partial, dir.path, options: StorageOptions(chunkMaxSamples: 16))
        #expect(try layout(file) == [["g/1", "g/2", "g/3", "h"], ["g/1", "g/2", "g/3"], ["g/1", "g/2", "g/3"], ["g/1", "g/2", "g/3"], ["h"], ["h"], ["h"]])
        #expect(file.index.records.map(\.sampleCount) == [16, 16, 16, 2, 16, 16, 2])
        #expect(file.index.series.map { $0.chunks.count } == [4, 4, 4, 4])
        #expect(SegmentFile.verify(path: file.path).isEmpty)
        #expect(try allReadings(dir.path).map(key).sorted() == (group + partial).map(key).sorted())
    }

    @Test("a group too large for one record is split into several, each with the time part")
    func recordSizeLimit() throws {
        let dir = TemporaryDirectory()
        let writer = try SegmentWriter(directory: dir.path, sequence: 1, recordTargetBytes: 300)
        var expected: [String: ChunkColumns] = [:]
        for k in 0..<12 {
            var c = ChunkColumns()
            for i in 0..<40 {
                c.append(sourceTime: Int64(i) * 1000, receiveTime: Int64(i) * 1000 + 5, mantissa: Int64((i * 7919 + k * 104_729) % 100_003),
                         scale: 2, meta: SampleMeta(quality: 0, flags: 0, unit: nil))
            }
            let name = "sensor/\(k)"
            expected[name] = c
            try writer.append(sensor: name, columns: c, chunkMaxSamples: 1000, level: 3)
        }
        _ = try writer.finish(checkpoint: nil, createdAt: 0) { _ in }
        let file = try SegmentFile(path: dir.path + "/" + SegmentFormat.fileName(sequence: 1))
        #expect(file.index.records.count > 1)
        #expect(file.index.records.allSatisfy { $0.length <= 300 + 120 })
        #expect(file.index.records.reduce(0) { $0 + Int($1.memberCount) } == 12)
        for s in file.index.series {
            let (name, columns) = try file.readChunk(s.chunks[0])
            #expect(name == s.sensor)
            #expect(columns == expected[s.sensor])
        }
        #expect(SegmentFile.verify(path: file.path).isEmpty)
    }

    @Test("open groups are written out once they exceed the writer's budget; later series with the same times start new groups")
    func pendingBudget() throws {
        func columns(_ times: [Int64], _ k: Int) -> ChunkColumns {
            var c = ChunkColumns()
            for (i, t) in times.enumerated() {
                c.append(sourceTime: t, receiveTime: t, mantissa: Int64((i * 31 + k * 7) % 1000), scale: 1,
                         meta: SampleMeta(quality: 0, flags: 0, unit: nil))
            }
            return c
        }
        let even: [Int64] = (0..<30).map { (i: Int) -> Int64 in Int64(i) * 1000 }
        let odd: [Int64] = (0..<30).map { (i: Int) -> Int64 in Int64(i) * 1000 + 1 }
        for (budget, expectedRecords) in [(1 << 20, 2), (1, 6)] {
            let dir = TemporaryDirectory()
            let writer = try SegmentWriter(directory: dir.path, sequence: 1, pendingBudget: budget)
            var expected: [String: ChunkColumns] = [:]
            for k in 0..<6 {
                let c = columns(k % 2 == 0 ? even : odd, k)
                expected["s/\(k)"] = c
                try writer.append(sensor: "s/\(k)", columns: c, chunkMaxSamples: 1000, level: 3)
            }
            _ = try writer.finish(checkpoint: nil, createdAt: 0) { _ in }
            let file = try SegmentFile(path: dir.path + "/" + SegmentFormat.fileName(sequence: 1))
            #expect(file.index.records.count == expectedRecords, "budget \(budget)")
            #expect(file.index.series.count == 6)
            for s in file.index.series {
                let (name, c) = try file.readChunk(s.chunks[0])
                #expect(name == s.sensor && c == expected[s.sensor])
            }
            #expect(SegmentFile.verify(path: file.path).isEmpty)
        }
    }

    @Test("a duplicate of a sealed reading is found through the shared time part")
    func duplicateLookup() throws {
        let dir = TemporaryDirectory()
        let times: [Int64] = (0..<100).map { (i: Int) -> Int64 in Int64(5_000 + i * 1000) }
        let store = try SegmentStore(directory: dir.path, wal: nil, logger: quietLogger)
        for r in readings(["a", "b", "c"], times: times) { _ = try store.append(r) }
        try store.sealNow(processedThrough: nil, now: Timestamp(millisecondsSinceEpoch: 1))
        let reopened = try SegmentStore(directory: dir.path, wal: nil, logger: quietLogger)
        #expect(try reopened.append(reading("b", 5_000 + 42_000, "1")) == .duplicate)
        #expect(try reopened.append(reading("c", 5_000 + 99_000, "1")) == .duplicate)
        #expect(try reopened.append(reading("c", 5_000 + 99_001, "1")) == .stored)
    }

    /// Three groups of different sizes in one segment.
    func groups(_ dir: String) throws -> (file: SegmentFile, input: [Reading], groups: [[String]]) {
        let t: [Int64] = (0..<120).map { (i: Int) -> Int64 in Int64(2_000_000 + i * 250) }
        let input = readings(["a/1", "a/2", "a/3"], times: t) + readings(["b/1", "b/2"], times: t.map { $0 + 3 })
            + readings(["c"], times: t.map { $0 * 2 })
        let file = try seal(input, dir)
        let g = try layout(file)
        #expect(g == [["a/1", "a/2", "a/3"], ["b/1", "b/2"], ["c"]])
        return (file, input, g)
    }

    @Test("damage inside a record loses exactly that record's group; verify names file and offset")
    func damagedRecord() throws {
        let dir = TemporaryDirectory()
        let (file, input, groups) = try self.groups(dir.path)
        let path = file.path
        let original = fileBytes(path)
        for (r, record) in file.index.records.enumerated() {
            let start = Int(record.offset), end = start + Int(record.length)
            // Both length fields, the CRC, the member count, the time part, names, values.
            for offset in [start, start + 3, start + 5, start + 8, start + 9, start + 20, (start + end) / 2, end - 1] {
                var bad = original
                bad[offset] ^= 0x41
                writeBytes(bad, to: path)
                let damage = SegmentFile.verify(path: path)
                #expect(damage.contains { $0.path == path && $0.offset == record.offset }, "record \(r), flip at \(offset): \(damage)")
                let cursor = try DataDirectory(path: dir.path).readings()
                let out = Set(Array(cursor).map(key))
                let expected = Set(input.filter { !groups[r].contains($0.sensor) }.map(key))
                #expect(out == expected, "record \(r), flip at \(offset): \(out.count) readings, expected \(expected.count)")
                #expect(cursor.damage.contains { $0.path == path && $0.offset == record.offset })
            }
        }
        writeBytes(original, to: path)
        #expect(SegmentFile.verify(path: path).isEmpty)
    }

    @Test("with the index or footer damaged, every intact record is recovered with its sensor names")
    func damagedIndex() throws {
        let dir = TemporaryDirectory()
        let (file, input, _) = try self.groups(dir.path)
        let path = file.path
        let original = fileBytes(path)
        let all = Set(input.map(key))
        for offset in Int(file.indexOffset)..<original.count {
            var bad = original
            bad[offset] ^= 0x10
            writeBytes(bad, to: path)
            #expect(SegmentFile.verify(path: path).contains { $0.path == path }, "flip at \(offset) not reported")
            let out = Set(Array(try DataDirectory(path: dir.path).readings()).map(key))
            #expect(out == all, "flip at \(offset): \(out.count) of \(all.count) readings")
        }
        // Index and a record damaged together: the other records are still found.
        var bad = original
        bad[Int(file.indexOffset) + 2] ^= 0xFF
        let middle = file.index.records[1]
        bad[Int(middle.offset) + Int(middle.length) / 2] ^= 0xFF
        writeBytes(bad, to: path)
        let cursor = try DataDirectory(path: dir.path).readings()
        let out = Set(Array(cursor).map(key))
        #expect(out == Set(input.filter { !$0.sensor.hasPrefix("b/") }.map(key)))
        #expect(cursor.damage.contains { $0.offset == middle.offset })
    }

    @Test("an index whose members do not match its records is refused")
    func inconsistentIndex() throws {
        let r0 = SegmentRecordRef(offset: 8, length: 100, memberCount: 2, sampleCount: 3, minTime: 10, maxTime: 30)
        let r1 = SegmentRecordRef(offset: 108, length: 50, memberCount: 1, sampleCount: 1, minTime: 40, maxTime: 40)
        func decode(_ series: [SegmentSeries], recordsEnd: UInt64 = 158) -> SegmentIndex? {
            let index = SegmentIndex(createdAt: 7, checkpoint: WALPosition(file: 3, offset: 99), records: [r0, r1], series: series)
            return index.encode().withUnsafeBytes { try? SegmentIndex.decode($0, recordsEnd: recordsEnd) }
        }
        let good = [SegmentSeries(sensor: "a", chunks: [SegmentChunkRef(r0, member: 1), SegmentChunkRef(r1, member: 0)]),
                    SegmentSeries(sensor: "b", chunks: [SegmentChunkRef(r0, member: 0)])]
        let index = try #require(decode(good))
        #expect(index.series == good)
        #expect(index.checkpoint == WALPosition(file: 3, offset: 99))
        #expect(index.minTime == 10 && index.maxTime == 40 && index.sampleCount == 7)
        // A member nobody owns, a member owned twice, records not reaching the index.
        #expect(decode([good[0]]) == nil)
        #expect(decode(good + [SegmentSeries(sensor: "c", chunks: [SegmentChunkRef(r1, member: 0)])]) == nil)
        #expect(decode(good, recordsEnd: 159) == nil)
        #expect(decode(good.reversed()) == nil)
    }
}

/// Reads a segment by hand, following docs/FORMAT.md only ("Segment files" … "Footer"), so
/// that the document and the writer cannot drift apart.
@Suite("segment layout")
struct SegmentLayoutTests {
    struct Reader {
        let bytes: [UInt8]
        var i: Int
        mutating func byte() -> UInt8 { defer { i += 1 }; return bytes[i] }
        mutating func varint() -> UInt64 {
            var v: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                let b = byte()
                v |= UInt64(b & 0x7F) << shift
                if b < 0x80 { return v }
                shift += 7
            }
        }
        mutating func zigzag() -> Int64 { let u = varint(); return Int64(bitPattern: u >> 1) ^ -Int64(bitPattern: u & 1) }
        mutating func take(_ n: Int) -> [UInt8] { defer { i += n }; return Array(bytes[i..<(i + n)]) }
        mutating func u32() -> UInt32 { take(4).enumerated().reduce(0) { $0 | UInt32($1.element) << (8 * UInt32($1.offset)) } }
        mutating func u64() -> UInt64 { take(8).enumerated().reduce(0) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) } }
        /// A section (codec, lengths, payload) → its content.
        mutating func section() throws -> [UInt8] {
            let codec = byte()
            let raw = Int(varint())
            if codec == 0 { return take(raw) }
            #expect(codec == 1)
            let frame = take(Int(varint()))
            let out = UnsafeMutableRawBufferPointer.allocate(byteCount: max(raw, 1), alignment: 8)
            defer { out.deallocate() }
            try frame.withUnsafeBytes { try Zstd.decompress($0, expectedSize: raw, into: out) }
            return Array(out[..<raw])
        }
    }

    @Test("records, index and footer follow the documented layout")
    func documentedLayout() throws {
        let dir = TemporaryDirectory()
        let store = try SegmentStore(directory: dir.path, wal: nil, logger: quietLogger)
        var input: [Reading] = []
        for i in 0..<40 {
            let t = Int64(1_700_000_000_000 + i * 1000)
            for s in ["site/pump-1/flow", "site/pump-1/pressure", "site/pump-2/flow"] {
                input.append(reading(s, t, "\(i).\(s.count % 10)", receive: t + 7))
            }
            input.append(reading("zeta", t + 500, "-\(i)"))
        }
        for r in input { _ = try store.append(r) }
        try store.sealNow(processedThrough: WALPosition(file: 4, offset: 1234), now: Timestamp(millisecondsSinceEpoch: 99))
        let bytes = fileBytes(store.segmentPaths[0])

        #expect(Array(bytes[0..<8]) == [0x54, 0x53, 0x53, 0x45, 0x47, 0x00, 0x00, 0x02])
        var footer = Reader(bytes: bytes, i: bytes.count - 24)
        let indexOffset = Int(footer.u64()), indexLength = Int(footer.u32()), indexCRC = footer.u32()
        #expect(Array(bytes[(bytes.count - 8)...]) == Array("TSSEGEND".utf8))
        #expect(indexOffset + indexLength == bytes.count - 24)
        #expect(CRC32C.checksum(bytes[indexOffset..<(indexOffset + indexLength)]) == indexCRC)

        // Index.
        var outer = Reader(bytes: bytes, i: indexOffset)
        var index = Reader(bytes: try outer.section(), i: 0)
        #expect(outer.i == indexOffset + indexLength)
        #expect(index.zigzag() == 99)
        #expect(index.byte() == 1)
        #expect(index.varint() == 4 && index.varint() == 1234)
        var recordOffsets: [Int] = []
        var recordInfo: [(members: Int, n: Int, min: Int64, max: Int64)] = []
        var offset = 8
        var previousMin: Int64 = 0
        for _ in 0..<index.varint() {
            recordOffsets.append(offset)
            offset += Int(index.varint())
            let members = Int(index.varint()), n = Int(index.varint())
            let minTime = previousMin + index.zigzag()
            recordInfo.append((members, n, minTime, minTime + Int64(index.varint())))
            previousMin = minTime
        }
        #expect(offset == indexOffset)
        var owners: [String: [(record: Int, member: Int)]] = [:]
        var name: [UInt8] = []
        var record = 0
        for _ in 0..<index.varint() {
            let shared = Int(index.varint())
            name = Array(name.prefix(shared)) + index.take(Int(index.varint()))
            for _ in 0..<index.varint() {
                record += Int(index.zigzag())
                owners[String(decoding: name, as: UTF8.self), default: []].append((record, Int(index.varint())))
            }
        }
        #expect(index.i == index.bytes.count)
        #expect(owners.keys.sorted() == ["site/pump-1/flow", "site/pump-1/pressure", "site/pump-2/flow", "zeta"])
        #expect(recordInfo.map(\.members) == [3, 1])
        #expect(recordInfo.map(\.n) == [40, 40])
        #expect(recordInfo[0].min == 1_700_000_000_000 && recordInfo[0].max == 1_700_000_039_000)
        #expect(recordInfo[1].min == 1_700_000_000_500)

        // Records.
        var decoded: [String: ChunkColumns] = [:]
        for (k, start) in recordOffsets.enumerated() {
            var r = Reader(bytes: bytes, i: start)
            let bodyLength = Int(r.u32()), crc = r.u32()
            #expect(CRC32C.checksum(bytes[(start + 8)..<(start + 8 + bodyLength)]) == crc)
            var body = Reader(bytes: Array(bytes[(start + 8)..<(start + 8 + bodyLength)]), i: 0)
            let memberCount = Int(body.varint())
            #expect(memberCount == recordInfo[k].members)
            let timeSection = try body.section()
            let times = try timeSection.withUnsafeBytes { p in
                // The time section re-wrapped as a raw section for the decoder.
                var wrapped = ByteSink()
                wrapped.append(0)
                wrapped.appendVarint(UInt64(p.count))
                wrapped.append(p)
                let w = wrapped.bytes
                return try w.withUnsafeBytes { q in
                    var src = ByteSource(q)
                    return try ChunkDecoder.decodeTimes(&src)
                }
            }
            #expect(times.source.count == recordInfo[k].n)
            var member: [UInt8] = []
            for m in 0..<memberCount {
                let shared = Int(body.varint())
                member = Array(member.prefix(shared)) + body.take(Int(body.varint()))
                let sensor = String(decoding: member, as: UTF8.self)
                #expect(owners[sensor]?.contains { $0.record == k && $0.member == m } == true)
                if m > 0 { #expect(shared > 0) }
                let values = body.take(Int(body.varint()))
                decoded[sensor] = try values.withUnsafeBytes { p in
                    var src = ByteSource(p)
                    let c = try ChunkDecoder.decodeValues(&src, sourceTimes: times.source, receiveTimes: times.receive)
                    #expect(src.isAtEnd)
                    return c
                }
            }
            #expect(body.i == bodyLength)
        }
        for r in input {
            let c = try #require(decoded[r.sensor])
            let i = try #require(c.sourceTimes.firstIndex(of: r.sourceTime.millisecondsSinceEpoch))
            #expect(c.receiveTimes[i] == r.receiveTime.millisecondsSinceEpoch)
            #expect(DecimalValue(mantissa: c.mantissas[i], scale: c.scales[i]) == r.value)
        }
    }
}

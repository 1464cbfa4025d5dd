import Foundation
import Testing
import TinsenseCore
import TinsenseTestSupport
@testable import TinsenseStorage

// Helpers are fileprivate and prefixed: this test target is shared with other suites.

/// Where the WAL of a scratch data directory keeps its files.
fileprivate extension TemporaryDirectory {
    var walDirectory: String { path + "/wal" }
    func walFile(_ n: UInt32) -> String { walDirectory + "/" + String(format: "%08u.wal", n) }
}

/// Deterministic records with varied topics, QoS, times and binary payloads (some empty).
private func walRecords(_ count: Int, seed: UInt64 = 1, maxPayload: Int = 80) -> [WALRecord] {
    var rng = SplitMix64(seed: seed)
    return (0..<count).map { i in
        let payloadLength = i % 7 == 0 ? 0 : Int.random(in: 1...maxPayload, using: &rng)
        let payload = (0..<payloadLength).map { _ in UInt8.random(in: 0...255, using: &rng) }
        return WALRecord(
            receiveTime: Timestamp(millisecondsSinceEpoch: 1_767_225_600_000 + Int64(i) * 250 - (i % 5 == 0 ? 3_000_000_000_000 : 0)),
            qos: UInt8(i % 2),
            topic: Array("tinmine/p1/crushing/L\(i % 3)/jaw\(i)/vibration_mm_s".utf8),
            payload: payload
        )
    }
}

private func openWAL(_ dir: TemporaryDirectory, maxFileBytes: Int = 64 << 20) throws -> WriteAheadLog {
    try WriteAheadLog(directory: dir.path, maxFileBytes: maxFileBytes, logger: quietLogger)
}

private func readAll(_ wal: WriteAheadLog, from: WALPosition? = nil) throws -> [WALEntry] {
    var reader = try wal.records(from: from)
    var out: [WALEntry] = []
    while let e = reader.next() { out.append(e) }
    return out
}

private func fileSize(_ path: String) -> UInt64 {
    ((try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? NSNumber)?.uint64Value ?? 0
}

private func bytes(_ path: String) -> [UInt8] { [UInt8](FileManager.default.contents(atPath: path) ?? Data()) }

private func write(_ b: [UInt8], to path: String) {
    #expect(FileManager.default.createFile(atPath: path, contents: Data(b)))
}

@Suite("Write-ahead log")
struct WALTests {
    @Test("appended records read back in order, with contiguous start and end positions")
    func appendAndReadBack() throws {
        let dir = TemporaryDirectory("wal")
        let wal = try openWAL(dir)
        let records = walRecords(60)
        var ends: [WALPosition] = []
        for r in records { ends.append(try wal.append(r)) }
        #expect(wal.endPosition == ends.last)
        let entries = try readAll(wal)
        #expect(entries.map(\.record) == records)
        #expect(entries.map(\.end) == ends)
        #expect(entries.first?.start == WALPosition(file: 1, offset: 8))
        for k in 1..<entries.count { #expect(entries[k].start == entries[k - 1].end) }
        // The file is exactly the header plus the records.
        #expect(Array(bytes(dir.walFile(1)).prefix(8)) == WALFormat.fileMagic)
        #expect(fileSize(dir.walFile(1)) == ends.last!.offset)
        try wal.sync()
        #expect(try wal.scan() == [])
    }

    @Test("a record's bytes follow the documented layout (version 2, kind 2)")
    func recordLayout() throws {
        let dir = TemporaryDirectory("wal")
        let wal = try openWAL(dir)
        let r = WALRecord(
            receiveTime: Timestamp(millisecondsSinceEpoch: 0x0102_0304_0506), qos: 1, topic: Array("a/b".utf8), payload: Array("7.5".utf8),
            retained: true, packetID: 0x0A0B, connection: 0x0C0D_0E0F, payloadBytes: 0x0102_0304
        )
        try wal.append(r)
        #expect(Array(bytes(dir.walFile(1)).prefix(8)) == [0x54, 0x53, 0x57, 0x41, 0x4C, 0, 0, 2])
        let b = Array(bytes(dir.walFile(1)).dropFirst(8))
        let bodyLength = Int(b[0]) | Int(b[1]) << 8 | Int(b[2]) << 16 | Int(b[3]) << 24
        #expect(bodyLength == 1 + 8 + 1 + 1 + 2 + 4 + 4 + 2 + 3 + 3)
        #expect(b.count == 8 + bodyLength)
        let crc = UInt32(b[4]) | UInt32(b[5]) << 8 | UInt32(b[6]) << 16 | UInt32(b[7]) << 24
        #expect(crc == CRC32C.checksum(b[8...]))
        #expect(b[8] == 2)                                          // kind: MQTT delivery
        #expect(Array(b[9..<17]) == [0x06, 0x05, 0x04, 0x03, 0x02, 0x01, 0, 0])
        #expect(b[17] == 1)                                         // qos
        #expect(b[18] == 1)                                         // flags: retained
        #expect(Array(b[19..<21]) == [0x0B, 0x0A])                  // packet id
        #expect(Array(b[21..<25]) == [0x0F, 0x0E, 0x0D, 0x0C])      // connection
        #expect(Array(b[25..<29]) == [0x04, 0x03, 0x02, 0x01])      // payload bytes as received
        #expect(Array(b[29..<31]) == [3, 0])                        // topic length
        #expect(Array(b[31..<34]) == Array("a/b".utf8))
        #expect(Array(b[34...]) == Array("7.5".utf8))
        #expect(try readAll(wal).map(\.record) == [r])
    }

    @Test("records read back in order across rotation into several files")
    func acrossRotation() throws {
        let dir = TemporaryDirectory("wal")
        let wal = try openWAL(dir, maxFileBytes: 4096)
        let records = walRecords(300)
        var ends: [WALPosition] = []
        for r in records { ends.append(try wal.append(r)) }
        let files = try WriteAheadLog.fileNumbers(in: dir.walDirectory)
        #expect(files.count >= 4)
        #expect(files == Array(1...UInt32(files.count)))
        // No file grows far beyond the limit: rotation happens before the append that would exceed it.
        for n in files.dropLast() { #expect(fileSize(dir.walFile(n)) < 4096 + 200) }
        let entries = try readAll(wal)
        #expect(entries.map(\.record) == records)
        #expect(entries.map(\.end) == ends)
        #expect(Set(entries.map(\.end.file)) == Set(files))
        // Positions are strictly increasing.
        #expect(zip(ends, ends.dropFirst()).allSatisfy { $0 < $1 })
    }

    @Test("rotate starts a new file only when the current one holds records")
    func explicitRotate() throws {
        let dir = TemporaryDirectory("wal")
        let wal = try openWAL(dir)
        try wal.rotate()
        #expect(try WriteAheadLog.fileNumbers(in: dir.walDirectory) == [1])
        try wal.append(walRecords(1)[0])
        try wal.rotate()
        #expect(try WriteAheadLog.fileNumbers(in: dir.walDirectory) == [1, 2])
        #expect(wal.endPosition == WALPosition(file: 2, offset: 8))
        let end = try wal.append(walRecords(2)[1])
        #expect(end.file == 2)
        #expect(try readAll(wal).map(\.record) == Array(walRecords(2)))
    }

    @Test("a reopened WAL keeps its records and appends after them")
    func reopen() throws {
        let dir = TemporaryDirectory("wal")
        let records = walRecords(40)
        do {
            let wal = try openWAL(dir, maxFileBytes: 4096)
            for r in records.prefix(25) { try wal.append(r) }
            try wal.close()
            #expect(throws: WALError.self) { try wal.append(records[0]) }
        }
        let wal = try openWAL(dir, maxFileBytes: 4096)
        #expect(try readAll(wal).map(\.record) == Array(records.prefix(25)))
        for r in records.dropFirst(25) { try wal.append(r) }
        #expect(try readAll(wal).map(\.record) == records)
        #expect(try wal.scan() == [])
    }

    @Test("records(from:) resumes exactly after any position, including file boundaries")
    func resumeFromPosition() throws {
        let dir = TemporaryDirectory("wal")
        let wal = try openWAL(dir, maxFileBytes: 4096)
        let records = walRecords(120, seed: 9)
        var ends: [WALPosition] = []
        for (i, r) in records.enumerated() {
            ends.append(try wal.append(r))
            if i == 30 { try wal.rotate() }   // an explicit boundary too
        }
        #expect(try WriteAheadLog.fileNumbers(in: dir.walDirectory).count >= 3)
        for k in 0..<ends.count {
            let rest = try readAll(wal, from: ends[k])
            #expect(rest.map(\.record) == Array(records[(k + 1)...]), "from \(ends[k])")
            #expect(rest.first?.end == (k + 1 < ends.count ? ends[k + 1] : nil))
        }
        // A position at the start of a file (inside its header) reads that whole file onwards.
        #expect(try readAll(wal, from: WALPosition(file: 1, offset: 0)).map(\.record) == records)
        let secondFileFirst = ends.firstIndex { $0.file == 2 }!
        #expect(try readAll(wal, from: WALPosition(file: 2, offset: 0)).map(\.record) == Array(records[secondFileFirst...]))
        // The end position yields nothing.
        #expect(try readAll(wal, from: wal.endPosition).isEmpty)
    }

    @Test("a reader stops at the end position of the moment it was created")
    func readerSnapshot() throws {
        let dir = TemporaryDirectory("wal")
        let wal = try openWAL(dir)
        let records = walRecords(10)
        for r in records.prefix(5) { try wal.append(r) }
        var reader = try wal.records(from: nil)
        for r in records.dropFirst(5) { try wal.append(r) }
        var seen: [WALRecord] = []
        while let e = reader.next() { seen.append(e.record) }
        #expect(seen == Array(records.prefix(5)))
        #expect(reader.damage.isEmpty)
    }

    @Test("a torn tail (cut at every offset inside the last record) is truncated on reopen and appends continue")
    func tornTail() throws {
        let dir = TemporaryDirectory("wal")
        let records = walRecords(6, seed: 3, maxPayload: 40)
        var ends: [WALPosition] = []
        do {
            let wal = try openWAL(dir)
            for r in records { ends.append(try wal.append(r)) }
            try wal.close()
        }
        let pristine = bytes(dir.walFile(1))
        let lastStart = Int(ends[4].offset), lastEnd = Int(ends[5].offset)
        #expect(pristine.count == lastEnd)
        let extra = WALRecord(receiveTime: Timestamp(millisecondsSinceEpoch: 42), qos: 1, topic: Array("x/y".utf8), payload: Array("1.0".utf8))
        for cut in lastStart..<lastEnd {
            write(Array(pristine.prefix(cut)), to: dir.walFile(1))
            let wal = try openWAL(dir)
            #expect(fileSize(dir.walFile(1)) == UInt64(lastStart), "cut at \(cut)")
            #expect(wal.endPosition == ends[4])
            #expect(try readAll(wal).map(\.record) == Array(records.prefix(5)), "cut at \(cut)")
            let end = try wal.append(extra)
            #expect(end == WALPosition(file: 1, offset: UInt64(lastStart + 8 + WALFormat.bodyFixedSizeKind2 + 3 + 3)))
            #expect(try readAll(wal).map(\.record) == Array(records.prefix(5)) + [extra], "cut at \(cut)")
            #expect(try wal.scan() == [])
            try wal.close()
        }
    }

    @Test("garbage after the last record is truncated on reopen")
    func garbageTail() throws {
        let dir = TemporaryDirectory("wal")
        let records = walRecords(4)
        var end = WALPosition(file: 1, offset: 0)
        do {
            let wal = try openWAL(dir)
            for r in records { end = try wal.append(r) }
            try wal.close()
        }
        for garbage in [[UInt8](repeating: 0, count: 64), [0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 3, 4, 5, 6, 7, 8, 9], [20, 0, 0, 0, 9, 9, 9, 9]] {
            write(bytes(dir.walFile(1)).prefix(Int(end.offset)) + garbage, to: dir.walFile(1))
            let wal = try openWAL(dir)
            #expect(wal.endPosition == end)
            #expect(fileSize(dir.walFile(1)) == end.offset)
            #expect(try readAll(wal).map(\.record) == records)
            try wal.close()
        }
    }

    @Test("a file cut inside its header is rewritten empty on reopen")
    func tornHeader() throws {
        let dir = TemporaryDirectory("wal")
        do {
            let wal = try openWAL(dir)
            try wal.close()
        }
        for cut in 0..<8 {
            write(Array(WALFormat.fileMagic.prefix(cut)), to: dir.walFile(1))
            let wal = try openWAL(dir)
            #expect(bytes(dir.walFile(1)) == WALFormat.fileMagic)
            let r = walRecords(1)[0]
            try wal.append(r)
            #expect(try readAll(wal).map(\.record) == [r])
            try wal.close()
            write(Array(WALFormat.fileMagic.prefix(cut)), to: dir.walFile(1))
        }
    }

    @Test("a flipped byte stops reading of that file at that record; scan reports file and offset")
    func flippedByte() throws {
        let dir = TemporaryDirectory("wal")
        let wal = try openWAL(dir)
        let records = walRecords(10, seed: 5, maxPayload: 30)
        var ends: [WALPosition] = []
        for (i, r) in records.enumerated() {
            ends.append(try wal.append(r))
            if i == 5 { try wal.rotate() }   // records 0...5 in file 1, 6...9 in file 2
        }
        let path = dir.walFile(1)
        let pristine = bytes(path)
        let damagedStart = Int(ends[2].offset), damagedEnd = Int(ends[3].offset)   // record 3
        for offset in damagedStart..<damagedEnd {
            var b = pristine
            b[offset] ^= 0x5A
            write(b, to: path)
            let entries = try readAll(wal)
            #expect(entries.map(\.record) == Array(records[0...2]) + Array(records[6...]), "flip at \(offset)")
            var reader = try wal.records(from: nil)
            while reader.next() != nil {}
            #expect(reader.damage.map(\.offset) == [UInt64(damagedStart)], "flip at \(offset)")
            let damage = try wal.scan()
            #expect(damage.count == 1)
            #expect(damage.first?.path == path)
            #expect(damage.first?.offset == UInt64(damagedStart), "flip at \(offset)")
            #expect(try WriteAheadLog.scan(directory: dir.walDirectory) == damage)
        }
        write(pristine, to: path)
        #expect(try wal.scan() == [])
        #expect(try readAll(wal).map(\.record) == records)
    }

    @Test("a damaged header makes the whole file untrusted, at offset 0")
    func damagedHeader() throws {
        let dir = TemporaryDirectory("wal")
        let wal = try openWAL(dir)
        let records = walRecords(4)
        for (i, r) in records.enumerated() {
            try wal.append(r)
            if i == 1 { try wal.rotate() }
        }
        var b = bytes(dir.walFile(1))
        b[7] = 0x03   // a format version this reader does not know
        write(b, to: dir.walFile(1))
        #expect(try readAll(wal).map(\.record) == Array(records[2...]))
        let damage = try wal.scan()
        #expect(damage.map(\.offset) == [0])
        #expect(damage.first?.path == dir.walFile(1))
    }

    @Test("damage in an older file is reported on reopen but not truncated away")
    func olderFileDamageKept() throws {
        let dir = TemporaryDirectory("wal")
        let records = walRecords(6)
        var ends: [WALPosition] = []
        do {
            let wal = try openWAL(dir)
            for (i, r) in records.enumerated() {
                ends.append(try wal.append(r))
                if i == 2 { try wal.rotate() }
            }
            try wal.close()
        }
        let size = fileSize(dir.walFile(1))
        write(Array(bytes(dir.walFile(1)).dropLast(3)), to: dir.walFile(1))
        let wal = try openWAL(dir)
        #expect(fileSize(dir.walFile(1)) == size - 3)
        #expect(try readAll(wal).map(\.record) == Array(records[0...1]) + Array(records[3...]))
        #expect(try wal.scan().map(\.offset) == [ends[1].offset])
        #expect(wal.endPosition == ends[5])
    }

    @Test("removeFiles(before:) deletes only older files, never the current one")
    func removeFiles() throws {
        let dir = TemporaryDirectory("wal")
        let wal = try openWAL(dir)
        let records = walRecords(8)
        for (i, r) in records.enumerated() {
            try wal.append(r)
            if i % 2 == 1 && i < 7 { try wal.rotate() }   // files 1..4, two records each
        }
        #expect(try WriteAheadLog.fileNumbers(in: dir.walDirectory) == [1, 2, 3, 4])
        #expect(try wal.removeFiles(before: WALPosition(file: 1, offset: 500)) == 0)
        #expect(try wal.removeFiles(before: WALPosition(file: 3, offset: 0)) == 2)
        #expect(try WriteAheadLog.fileNumbers(in: dir.walDirectory) == [3, 4])
        #expect(try readAll(wal).map(\.record) == Array(records[4...]))
        // Even a checkpoint beyond the current file keeps the current file.
        #expect(try wal.removeFiles(before: WALPosition(file: 99, offset: 0)) == 1)
        #expect(try WriteAheadLog.fileNumbers(in: dir.walDirectory) == [4])
        #expect(try readAll(wal).map(\.record) == Array(records[6...]))
        try wal.append(records[0])
        #expect(try readAll(wal).count == 3)
        // Files other than WAL files are left alone.
        write([1, 2, 3], to: dir.walDirectory + "/notes.txt")
        #expect(try wal.removeFiles(before: WALPosition(file: 99, offset: 0)) == 0)
        #expect(FileManager.default.fileExists(atPath: dir.walDirectory + "/notes.txt"))
    }

    @Test("oversized records are refused without touching the file")
    func tooLarge() throws {
        let dir = TemporaryDirectory("wal")
        let wal = try openWAL(dir)
        let longTopic = WALRecord(receiveTime: Timestamp(millisecondsSinceEpoch: 0), qos: 0, topic: [UInt8](repeating: 0x61, count: 70_000), payload: [])
        #expect(throws: WALError.self) { try wal.append(longTopic) }
        let hugePayload = WALRecord(receiveTime: Timestamp(millisecondsSinceEpoch: 0), qos: 0, topic: [0x61], payload: [UInt8](repeating: 0, count: 17 << 20))
        #expect(throws: WALError.self) { try wal.append(hugePayload) }
        #expect(wal.endPosition == WALPosition(file: 1, offset: 8))
        #expect(fileSize(dir.walFile(1)) == 8)
    }

    @Test("WAL positions order by file then offset and print as file:offset")
    func positions() {
        let a = WALPosition(file: 1, offset: 900), b = WALPosition(file: 2, offset: 8), c = WALPosition(file: 2, offset: 9)
        #expect(a < b && b < c && !(c < a))
        #expect(a.description == "00000001:900")
        #expect(WALPosition(file: 123_456_789, offset: 5).description == "123456789:5")
        #expect(WALPosition("00000003:1234") == WALPosition(file: 3, offset: 1234))
        #expect(WALPosition(a.description) == a)
        for bad in ["", "3", "3:", ":4", "a:1", "1:2:3", "-1:5"] { #expect(WALPosition(bad) == nil, "\(bad)") }
    }
}

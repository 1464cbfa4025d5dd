import Foundation
import Testing
import TinsenseCore
import TinsenseTestSupport
@testable import TinsenseForward

@Suite("forward spool")
struct SpoolTests {
    @Test("records come back exactly as appended, across file rotations and a restart")
    func roundTrip() throws {
        let dir = TemporaryDirectory("spool")
        let readings = sampleReadings(3_000)
        do {
            let spool = try Spool(directory: dir.path, maxBytes: 1 << 18)
            for r in readings[..<2_000] { #expect(spool.append(r) == .spooled) }
        }
        // A second run starts a new file after the old ones and reads on from the start.
        let spool = try Spool(directory: dir.path, maxBytes: 1 << 18)
        for r in readings[2_000...] { #expect(spool.append(r) == .spooled) }
        #expect(try spoolFileNames(dir.path).count > 2, "rotation at an eighth of the bound")
        let reader = SpoolReader(spool: spool, logger: quietLogger)
        var got: [Reading] = []
        while let batch = reader.nextBatch(max: 256) {
            got += batch.readings
            try reader.commit(batch)
        }
        #expect(got == readings)
        // Everything acknowledged: only the live file is left.
        #expect(try spoolFileNames(dir.path).count == 1)
    }

    @Test("a torn last record (power loss mid-write) ends that file; the records before it and every later file are read")
    func tornTail() throws {
        let dir = TemporaryDirectory("spool-torn")
        let readings = sampleReadings(50)
        do {
            let spool = try Spool(directory: dir.path, maxBytes: 1 << 20)
            for r in readings[..<30] { _ = spool.append(r) }
        }
        // Cut the first file inside its last record.
        let first = dir.path + "/" + (try spoolFileNames(dir.path)[0])
        let size = try FileManager.default.attributesOfItem(atPath: first)[.size] as! Int
        let handle = try #require(FileHandle(forWritingAtPath: first))
        try handle.truncate(atOffset: UInt64(size - 3))
        try handle.close()
        let spool = try Spool(directory: dir.path, maxBytes: 1 << 20)
        for r in readings[30...] { _ = spool.append(r) }
        let reader = SpoolReader(spool: spool, logger: quietLogger)
        var got: [Reading] = []
        while let batch = reader.nextBatch(max: 1_000) {
            got += batch.readings
            try reader.commit(batch)
        }
        #expect(got == Array(readings[..<29]) + Array(readings[30...]))
        #expect(reader.damagedFiles == 1)
    }

    @Test("garbage in a spool file (bad CRC, absurd lengths) is skipped, never trusted, never a crash")
    func hostileBytes() throws {
        let dir = TemporaryDirectory("spool-hostile")
        var bytes = [UInt8](SpoolFormat.fileMagic)
        var record: [UInt8] = []
        _ = SpoolFormat.appendRecord(sampleReadings(1)[0], to: &record)
        bytes += record
        // A record claiming 4 GiB, then one with a flipped payload byte.
        bytes += [0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0]
        try Data(bytes).write(to: URL(fileURLWithPath: dir.file(SpoolFormat.fileName(1))))
        var flipped = [UInt8](SpoolFormat.fileMagic) + record
        flipped[flipped.count - 2] ^= 0x40
        try Data(flipped).write(to: URL(fileURLWithPath: dir.file(SpoolFormat.fileName(2))))
        let spool = try Spool(directory: dir.path, maxBytes: 1 << 20)
        let reader = SpoolReader(spool: spool, logger: quietLogger)
        var got: [Reading] = []
        while let batch = reader.nextBatch(max: 1_000) {
            got += batch.readings
            try reader.commit(batch)
        }
        #expect(got == [sampleReadings(1)[0]])
        #expect(reader.damagedFiles == 2)
    }

    @Test("a damaged cursor file reads as nothing acknowledged: everything is sent again, nothing lost")
    func damagedCursor() throws {
        let dir = TemporaryDirectory("spool-cursor")
        let spool = try Spool(directory: dir.path, maxBytes: 1 << 20)
        for r in sampleReadings(10) { _ = spool.append(r) }
        let reader = SpoolReader(spool: spool, logger: quietLogger)
        try reader.commit(try #require(reader.nextBatch(max: 4)))
        #expect(SpoolCursor.load(directory: dir.path)?.position.offset ?? 0 > SpoolFormat.headerSize)
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: dir.file("cursor"))))
        bytes[5] ^= 1
        try Data(bytes).write(to: URL(fileURLWithPath: dir.file("cursor")))
        let again = SpoolReader(spool: spool, logger: quietLogger)
        #expect(again.nextBatch(max: 100)?.readings.count == 10)
    }

    @Test("at its bound the spool refuses readings, and takes them again only below three quarters")
    func bound() throws {
        let dir = TemporaryDirectory("spool-bound")
        let spool = try Spool(directory: dir.path, maxBytes: 16_384)
        let readings = sampleReadings(2_000)
        var spooled = 0
        for r in readings where spool.append(r) == .spooled { spooled += 1 }
        #expect(spooled > 100 && spooled < 2_000)
        #expect(spool.usage.refusing && spool.usage.bytes <= 16_384)
        let reader = SpoolReader(spool: spool, logger: quietLogger)
        // One acknowledged batch frees one file: not yet enough room.
        try reader.commit(try #require(reader.nextBatch(max: 40)))
        if spool.usage.bytes > 16_384 / 4 * 3 { #expect(spool.append(readings[0]) == .full) }
        while let batch = reader.nextBatch(max: 1_000) { try reader.commit(batch) }
        #expect(spool.append(readings[0]) == .spooled)
        #expect(!spool.usage.refusing)
    }
}

/// The spool file names in `directory`, sorted.
func spoolFileNames(_ directory: String) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: directory).filter { SpoolFormat.number(fromFileName: $0) != nil }.sorted()
}

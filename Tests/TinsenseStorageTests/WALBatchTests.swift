import Foundation
import Testing
import TinsenseCore
import TinsenseTestSupport
@testable import TinsenseStorage

// A burst of QoS 0 messages is written with one write(2) (`WALBatch`, used by IngestSink):
// the bytes must be exactly those of one append per record, all or nothing.

private func walPath(_ dir: TemporaryDirectory, _ n: UInt32) -> String { dir.path + "/wal/" + String(format: "%08u.wal", n) }

private func delivery(_ r: WALRecord) -> WALDelivery {
    WALDelivery(receiveTime: r.receiveTime, qos: r.qos, retained: r.retained, packetID: r.packetID, connection: r.connection, payloadBytes: r.payloadBytes)
}

private func records(_ n: Int, payloadBytes: Int = 40) -> [WALRecord] {
    (0..<n).map { (i: Int) -> WALRecord in
        let topic: [UInt8] = Array("plant/line\(i % 3)/s\(i)".utf8)
        let text = String(repeating: String(i % 10), count: i % 5 == 0 ? 0 : payloadBytes)
        let ms = 1_790_000_000_000 + Int64(i)
        return WALRecord(receiveTime: Timestamp(millisecondsSinceEpoch: ms), qos: 0, topic: topic, payload: Array(text.utf8),
                         retained: i % 4 == 1, packetID: 0, connection: UInt32(i / 10))
    }
}

private func batch(_ rs: [WALRecord]) throws -> WALBatch {
    var b = WALBatch()
    for r in rs {
        try r.topic.withUnsafeBytes { t in try r.payload.withUnsafeBytes { p in try b.add(delivery(r), topic: t, payload: p) } }
    }
    return b
}

private func readAll(_ wal: WriteAheadLog) throws -> [WALEntry] {
    var reader = try wal.records(from: nil)
    var out: [WALEntry] = []
    while let e = reader.next() { out.append(e) }
    return out
}

@Suite("WAL batches (one write for a burst of QoS 0 messages)")
struct WALBatchTests {
    @Test("a batch writes the same bytes and positions as one append per record, between single appends")
    func sameBytesAsAppends() throws {
        let rs = records(50)
        let one = TemporaryDirectory("wal-one"), many = TemporaryDirectory("wal-batch")
        let a = try WriteAheadLog(directory: one.path, logger: quietLogger)
        var ends: [WALPosition] = []
        for r in rs { ends.append(try a.append(r)) }
        let b = try WriteAheadLog(directory: many.path, logger: quietLogger)
        var batched: [WALPosition] = [try b.append(rs[0])]
        batched += try b.append(try batch(Array(rs[1..<49])))
        batched.append(try b.append(rs[49]))
        #expect(batched == ends)
        #expect(b.endPosition == ends.last)
        #expect(FileManager.default.contents(atPath: walPath(many, 1)) == FileManager.default.contents(atPath: walPath(one, 1)))
        let entries = try readAll(b)
        #expect(entries.map(\.record) == rs)
        #expect(entries.map(\.end) == ends)
        #expect(try b.append(WALBatch()) == [], "an empty batch writes nothing")
        #expect(b.endPosition == ends.last)
    }

    @Test("a batch goes whole into one file: rotation happens before it, never inside it")
    func wholeInOneFile() throws {
        let dir = TemporaryDirectory("wal-rotate")
        let wal = try WriteAheadLog(directory: dir.path, maxFileBytes: 4096, logger: quietLogger)
        let rs = records(400)
        var all: [WALPosition] = []
        for k in stride(from: 0, to: rs.count, by: 40) {
            let ends = try wal.append(try batch(Array(rs[k..<(k + 40)])))
            #expect(Set(ends.map(\.file)).count == 1, "batch at \(k) spans files: \(ends)")
            all += ends
        }
        #expect(Set(all.map(\.file)).count > 1, "the test must cross rotations")
        let entries = try readAll(wal)
        #expect(entries.map(\.record) == rs)
        #expect(entries.map(\.end) == all)
        #expect(try wal.scan() == [])
    }

    @Test("a batch that cannot be written (ENOSPC at the rotation before it) leaves no byte; the same batch is written once there is space")
    func allOrNothing() throws {
        let dir = TemporaryDirectory("wal-full")
        let wal = try WriteAheadLog(directory: dir.path, maxFileBytes: 4096, logger: quietLogger)
        let filler = records(1, payloadBytes: 600)[0]
        while try wal.append(filler).offset < 4096 {}
        // The next file is where every write fails, as on a full disk.
        try FileManager.default.createSymbolicLink(atPath: walPath(dir, 2), withDestinationPath: "/dev/full")
        let rs = records(30)
        let b = try batch(rs)
        let before = try readAll(wal).count
        for _ in 0..<5 { #expect(throws: (any Error).self) { try wal.append(b) } }
        try FileManager.default.removeItem(atPath: walPath(dir, 2))
        let ends = try wal.append(b)
        #expect(ends.count == 30 && ends.allSatisfy { $0.file == 2 })
        let entries = try readAll(wal)
        #expect(entries.count == before + 30)
        #expect(Array(entries.suffix(30).map(\.record)) == rs)
        #expect(try wal.scan() == [])
    }

    @Test("a record too large for the format is refused by add, and the batch stays as it was")
    func tooLargeRefused() throws {
        var b = try batch(records(3))
        let bytes = b.bytes, count = b.count
        let topic = [UInt8](repeating: 0x61, count: 65_536)
        #expect(throws: WALError.self) {
            try topic.withUnsafeBytes { t in
                try [UInt8]("1".utf8).withUnsafeBytes { p in try b.add(WALDelivery(receiveTime: Timestamp(millisecondsSinceEpoch: 0), qos: 0, payloadBytes: 1), topic: t, payload: p) }
            }
        }
        #expect(b.bytes == bytes && b.count == count)
        b.removeAll()
        #expect(b.isEmpty && b.bytes.isEmpty)
    }
}

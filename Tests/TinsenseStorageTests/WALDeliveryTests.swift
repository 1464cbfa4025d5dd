import Foundation
import Testing
import TinsenseCore
import TinsenseTestSupport
@testable import TinsenseStorage

// Issue 9: the WAL keeps how a message was delivered (finding 7), a prefix of an oversized one
// (finding 2), and survives a failing rotation and a checkpoint past its end (finding 8).

private func walPath(_ dir: TemporaryDirectory, _ n: UInt32) -> String { dir.path + "/wal/" + String(format: "%08u.wal", n) }

private func record(_ payload: String, topic: String = "plant/a", packetID: UInt16 = 0, connection: UInt32 = 0, retained: Bool = false, qos: UInt8 = 1, ms: Int64 = 1_790_000_000_000) -> WALRecord {
    WALRecord(receiveTime: Timestamp(millisecondsSinceEpoch: ms), qos: qos, topic: Array(topic.utf8), payload: Array(payload.utf8),
              retained: retained, packetID: packetID, connection: connection)
}

private func readAll(_ wal: WriteAheadLog, from: WALPosition? = nil) throws -> [WALEntry] {
    var reader = try wal.records(from: from)
    var out: [WALEntry] = []
    while let e = reader.next() { out.append(e) }
    return out
}

private func openDescriptors() -> Int {
    ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []).count
}

/// A version 1 record, byte by byte as docs/FORMAT.md specified it before version 2.
private func version1Record(ms: Int64, qos: UInt8, topic: String, payload: String) -> [UInt8] {
    var body: [UInt8] = [1]
    withUnsafeBytes(of: UInt64(bitPattern: ms).littleEndian) { body += $0 }
    body.append(qos)
    withUnsafeBytes(of: UInt16(topic.utf8.count).littleEndian) { body += $0 }
    body += Array(topic.utf8) + Array(payload.utf8)
    var out: [UInt8] = []
    withUnsafeBytes(of: UInt32(body.count).littleEndian) { out += $0 }
    withUnsafeBytes(of: CRC32C.checksum(body).littleEndian) { out += $0 }
    return out + body
}

@Suite("WAL delivery records and faults")
struct WALDeliveryTests {
    @Test("one record refilled by decodeBody(into:) equals a fresh decode every time, whatever came before it")
    func refilledRecordEqualsFresh() {
        func v2(_ payload: String, topic: String, retained: Bool, packetID: UInt16, connection: UInt32, payloadBytes: Int? = nil) -> [UInt8] {
            let d = WALDelivery(receiveTime: Timestamp(millisecondsSinceEpoch: 7), qos: 1, retained: retained, packetID: packetID,
                                connection: connection, payloadBytes: payloadBytes ?? payload.utf8.count)
            var out: [UInt8] = []
            Array(topic.utf8).withUnsafeBytes { t in Array(payload.utf8).withUnsafeBytes { p in WALFormat.encode(d, topic: t, payload: p, into: &out) } }
            return Array(out.dropFirst(WALFormat.recordHeaderSize))
        }
        func v1(_ payload: String, topic: String) -> [UInt8] {
            Array(version1Record(ms: 9, qos: 0, topic: topic, payload: payload).dropFirst(WALFormat.recordHeaderSize))
        }
        // Long after short and short after long, both kinds, a prefix-only record, empty parts:
        // a field left over from the record before would show.
        let bodies = [
            v2(String(repeating: "x", count: 300), topic: "plant/a/long/topic/name", retained: true, packetID: 9, connection: 3),
            v1("1.5", topic: "t/b"),
            v2("{\"value\":2}", topic: "t", retained: false, packetID: 0, connection: 0),
            v2("{\"v", topic: "plant/c", retained: true, packetID: 65_535, connection: .max, payloadBytes: 70_000),
            v1("", topic: ""),
            v2(String(repeating: "y", count: 40), topic: "plant/d", retained: false, packetID: 1, connection: 1),
        ]
        var reused = WALRecord.empty
        for (i, body) in bodies.enumerated() {
            let fresh = body.withUnsafeBytes { WALFormat.decodeBody($0) }
            let ok = body.withUnsafeBytes { WALFormat.decodeBody($0, into: &reused) }
            #expect(ok && fresh != nil, "body \(i)")
            #expect(reused == fresh, "body \(i)")
        }
        #expect(reused.payload == Array(String(repeating: "y", count: 40).utf8) && reused.packetID == 1)
        // A body of an unknown kind or with inconsistent lengths is refused either way.
        for bad in [[UInt8](repeating: 3, count: 30), Array(bodies[0].prefix(WALFormat.bodyFixedSizeKind2 + 2))] {
            #expect(bad.withUnsafeBytes { WALFormat.decodeBody($0) } == nil)
            #expect(!bad.withUnsafeBytes { WALFormat.decodeBody($0, into: &reused) })
        }
    }

    @Test("a version 1 WAL file still reads; new records go to a new version 2 file")
    func version1FilesStillRead() throws {
        let dir = TemporaryDirectory("wal")
        try FileManager.default.createDirectory(atPath: dir.path + "/wal", withIntermediateDirectories: true)
        let v1 = WALFormat.fileMagicVersion1 + version1Record(ms: 5, qos: 1, topic: "t/a", payload: "1.5") + version1Record(ms: 6, qos: 0, topic: "t/b", payload: "")
        #expect(FileManager.default.createFile(atPath: walPath(dir, 1), contents: Data(v1)))
        let wal = try WriteAheadLog(directory: dir.path, logger: quietLogger)
        let next = record("2.5", packetID: 9, connection: 3, retained: true)
        try wal.append(next)
        let got = try readAll(wal).map(\.record)
        #expect(got == [
            WALRecord(receiveTime: Timestamp(millisecondsSinceEpoch: 5), qos: 1, topic: Array("t/a".utf8), payload: Array("1.5".utf8)),
            WALRecord(receiveTime: Timestamp(millisecondsSinceEpoch: 6), qos: 0, topic: Array("t/b".utf8), payload: []),
            next,
        ])
        #expect(try Data(contentsOf: URL(fileURLWithPath: walPath(dir, 1))) == Data(v1), "the version 1 file is left as it was")
        #expect(try Data(contentsOf: URL(fileURLWithPath: walPath(dir, 2))).prefix(8) == Data(WALFormat.fileMagic))
        #expect(try wal.scan() == [])
    }

    @Test("a prefix record keeps the true size and reads back as truncated")
    func truncatedRecord() throws {
        let dir = TemporaryDirectory("wal")
        let wal = try WriteAheadLog(directory: dir.path, logger: quietLogger)
        let prefix = [UInt8](repeating: 0x37, count: 1_024)
        let delivery = WALDelivery(receiveTime: Timestamp(millisecondsSinceEpoch: 1), qos: 1, packetID: 3, connection: 1, payloadBytes: 20_000_000)
        try Array("t/a".utf8).withUnsafeBytes { t in try prefix.withUnsafeBytes { p in _ = try wal.append(delivery, topic: t, payload: p) } }
        let r = try #require(try readAll(wal).first?.record)
        #expect(r.isTruncated && r.payloadBytes == 20_000_000 && r.payload == prefix)
        // The hard cap: a whole payload beyond what any record can take is refused.
        let big = [UInt8](repeating: 0, count: WALFormat.maxPayloadBytes + 65_536)
        #expect(throws: WALError.self) { try wal.append(WALRecord(receiveTime: Timestamp(millisecondsSinceEpoch: 0), qos: 1, topic: [0x61], payload: big)) }
        let fits = [UInt8](repeating: 0, count: WALFormat.maxPayloadBytes)
        try wal.append(WALRecord(receiveTime: Timestamp(millisecondsSinceEpoch: 0), qos: 1, topic: [UInt8](repeating: 0x61, count: 65_535), payload: fits))
    }

    @Test("a failing rotation (write returns ENOSPC) leaks no descriptor, however often it is retried")
    func failedRotationLeaksNoDescriptor() throws {
        let dir = TemporaryDirectory("wal")
        let wal = try WriteAheadLog(directory: dir.path, maxFileBytes: 4096, logger: quietLogger)
        let r = record(String(repeating: "9", count: 500))
        while try wal.append(r).offset < 4096 {}
        // The next file is where every write fails with ENOSPC, as on a full disk.
        try FileManager.default.createSymbolicLink(atPath: walPath(dir, 2), withDestinationPath: "/dev/full")
        let before = openDescriptors()
        var failures = 0
        for _ in 0..<200 {
            do { try wal.append(r) } catch { failures += 1 }
        }
        #expect(failures == 200)
        #expect(openDescriptors() - before <= 1, "descriptors before \(before), after \(openDescriptors())")
        // Space again: the rotation succeeds and nothing was lost.
        try FileManager.default.removeItem(atPath: walPath(dir, 2))
        let end = try wal.append(r)
        #expect(end.file == 2)
        #expect(try readAll(wal).allSatisfy { $0.record == r })
    }

    @Test("a checkpoint beyond the WAL's end after power loss replays that whole file, not from mid-record")
    func checkpointBeyondEnd() throws {
        let dir = TemporaryDirectory("wal")
        var ends: [WALPosition] = []
        do {
            let wal = try WriteAheadLog(directory: dir.path, logger: quietLogger)
            for i in 0..<10 { ends.append(try wal.append(record("\(i).5", ms: Int64(i)))) }
            try wal.close()
        }
        // Sealed with the checkpoint after record 9, but only records 0...3 reached the disk.
        let checkpoint = ends[9]
        let path = walPath(dir, 1)
        let kept = try Data(contentsOf: URL(fileURLWithPath: path)).prefix(Int(ends[3].offset))
        try kept.write(to: URL(fileURLWithPath: path))
        let wal = try WriteAheadLog(directory: dir.path, logger: quietLogger)
        // Replay right after the power loss: nothing after the checkpoint, the file is shorter.
        #expect(try readAll(wal, from: checkpoint).map(\.record.payload).count == 4)
        // New messages land below the old checkpoint; a crash before the next seal must replay them.
        let fresh = (0..<6).map { record("new \($0)", ms: 100 + Int64($0)) }
        for f in fresh { try wal.append(f) }
        var reader = try wal.records(from: checkpoint)
        var got: [WALRecord] = []
        while let e = reader.next() { got.append(e.record) }
        #expect(reader.damage.isEmpty, "\(reader.damage)")
        #expect(Array(got.suffix(6)) == fresh)
        // A checkpoint on a record boundary still resumes exactly there.
        #expect(try readAll(wal, from: ends[2]).map(\.record) == [record("3.5", ms: 3)] + fresh)
    }
}

@Suite("delivery ledger")
struct DeliveryLedgerTests {
    @Test("a redelivery is the same packet id, topic and payload on a later connection, early in it")
    func redeliveryRule() {
        var ledger = DeliveryLedger(window: 8)
        #expect(ledger.admit(record("42", packetID: 7, connection: 1)) == .new)
        #expect(ledger.admit(record("42", packetID: 8, connection: 1)) == .new, "same value, new id: a new reading")
        #expect(ledger.admit(record("42", packetID: 7, connection: 1)) == .new, "same connection: never a resend")
        #expect(ledger.admit(record("42", packetID: 7, connection: 2)) == .redelivery(packetID: 7))
        #expect(ledger.admit(record("43", packetID: 8, connection: 2)) == .new, "different payload")
        #expect(ledger.admit(record("42", topic: "plant/b", packetID: 8, connection: 2)) == .new, "different topic")
        #expect(ledger.admit(record("42", packetID: 0, connection: 3, qos: 0)) == .new)
        #expect(ledger.admit(record("42", packetID: 0, connection: 4, qos: 0)) == .new, "QoS 0 is never resent")
        // Past the first `window` messages of a connection, nothing is a redelivery.
        for i in 0..<8 { _ = ledger.admit(record("x\(i)", packetID: UInt16(100 + i), connection: 5)) }
        _ = ledger.admit(record("late", packetID: 200, connection: 5))
        for i in 0..<8 { _ = ledger.admit(record("y\(i)", packetID: UInt16(300 + i), connection: 6)) }
        #expect(ledger.admit(record("late", packetID: 200, connection: 6)) == .new)
    }

    @Test("a retained message equal to the topic's last message is a repeat; a live one never is")
    func retainedRule() {
        var ledger = DeliveryLedger()
        #expect(ledger.admit(record("42", packetID: 1, connection: 1, retained: true)) == .new)
        #expect(ledger.admit(record("42", packetID: 1, connection: 2, retained: true)) == .retainedRepeat, "the retained rule speaks first")
        #expect(ledger.admit(record("42", packetID: 5, connection: 3, retained: true)) == .retainedRepeat)
        #expect(ledger.admit(record("42", packetID: 6, connection: 3)) == .new, "a live message with the same value is new")
        #expect(ledger.admit(record("43", packetID: 7, connection: 3)) == .new)
        #expect(ledger.admit(record("42", packetID: 9, connection: 4, retained: true)) == .new, "the topic moved on since")
        var bounded = DeliveryLedger(maxTopics: 3)
        for i in 0..<10 { _ = bounded.admit(record("1", topic: "t/\(i)", packetID: UInt16(i + 1), connection: 1)) }
        #expect(bounded.topicCount == 3)
        #expect(bounded.admit(record("1", topic: "t/9", packetID: 99, connection: 2, retained: true)) == .retainedRepeat)
        #expect(bounded.admit(record("1", topic: "t/0", packetID: 98, connection: 2, retained: true)) == .new, "forgotten: oldest topic")
    }

    @Test("the persisted ledger judges like the one it was written from; a damaged file reads as absent")
    func fileRoundTrip() throws {
        let dir = TemporaryDirectory("ledger")
        var ledger = DeliveryLedger(window: 16, maxTopics: 50)
        for i in 0..<40 { _ = ledger.admit(record("\(i % 3)", topic: "t/\(i % 7)", packetID: UInt16(i + 1), connection: 1, retained: i % 2 == 0)) }
        try DeliveryLedgerFile.write(ledger, at: WALPosition(file: 3, offset: 999), directory: dir.path)
        let (restored, at) = try #require(DeliveryLedgerFile.read(directory: dir.path, window: 16, maxTopics: 50))
        #expect(at == WALPosition(file: 3, offset: 999))
        var a = ledger, b = restored
        for i in 0..<60 {
            let r = record("\(i % 4)", topic: "t/\(i % 9)", packetID: UInt16(i % 45 + 1), connection: UInt32(1 + i % 2), retained: i % 3 == 0)
            #expect(a.admit(r) == b.admit(r), "message \(i)")
        }
        let path = dir.path + "/" + DeliveryLedgerFile.name
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes[bytes.count / 2] ^= 0x40
        try bytes.write(to: URL(fileURLWithPath: path))
        #expect(DeliveryLedgerFile.read(directory: dir.path, window: 16, maxTopics: 50) == nil)
    }
}

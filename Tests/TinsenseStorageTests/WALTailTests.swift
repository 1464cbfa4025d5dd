import Foundation
import Testing
import TinsenseCore
import TinsenseTestSupport
@testable import TinsenseStorage

@Suite("WAL tail read by another process")
struct WALTailTests {
    func record(_ k: Int) -> WALRecord {
        WALRecord(receiveTime: Timestamp(millisecondsSinceEpoch: 1_000 * Int64(k)), qos: 1, topic: Array("t/\(k)".utf8), payload: Array("\(k)".utf8))
    }

    @Test("a bad record in an older file is damage; in the newest file it is the live end")
    func damageVersusLiveEnd() throws {
        let dir = TemporaryDirectory("waltail")
        let wal = try WriteAheadLog(directory: dir.path, logger: quietLogger)
        for k in 0..<3 { try wal.append(record(k)) }
        let firstEnd = try wal.rotate()
        for k in 3..<6 { try wal.append(record(k)) }
        // Flip the last byte of the first (closed) file, and tear the tail of the second.
        let first = dir.path + "/wal/00000001.wal", second = dir.path + "/wal/00000002.wal"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: first))
        bytes[bytes.count - 1] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: first))
        let handle = try #require(FileHandle(forWritingAtPath: second))
        handle.seekToEndOfFile()
        handle.write(Data([50, 0, 0, 0, 1, 2]))
        try handle.close()

        var tail = try DataDirectory(path: dir.path).walTail(after: nil)
        var topics: [String] = []
        while let e = tail.next() { topics.append(e.record.topicString) }
        #expect(topics == ["t/0", "t/1", "t/3", "t/4", "t/5"])
        #expect(tail.damage.count == 1 && tail.damage.first?.path == first)
        #expect(tail.liveTailAt?.file == 2)
        #expect(firstEnd.file == 1)
    }

    @Test("after a checkpoint only later records are read; a file trimmed before it is opened is noted, not damage")
    func fromCheckpointAndVanished() throws {
        let dir = TemporaryDirectory("waltail-cp")
        let wal = try WriteAheadLog(directory: dir.path, logger: quietLogger)
        var ends: [WALPosition] = []
        for k in 0..<4 { ends.append(try wal.append(record(k))) }
        try wal.rotate()
        for k in 4..<6 { try wal.append(record(k)) }
        var fromTwo = try DataDirectory(path: dir.path).walTail(after: ends[1])
        var seen: [String] = []
        while let e = fromTwo.next() { seen.append(e.record.topicString) }
        #expect(seen == ["t/2", "t/3", "t/4", "t/5"])
        var tail = try DataDirectory(path: dir.path).walTail(after: nil)
        try wal.removeFiles(before: WALPosition(file: 2, offset: 0))
        seen = []
        while let e = tail.next() { seen.append(e.record.topicString) }
        #expect(seen == ["t/4", "t/5"] && tail.vanishedBelow == 1 && tail.damage.isEmpty)
    }
}

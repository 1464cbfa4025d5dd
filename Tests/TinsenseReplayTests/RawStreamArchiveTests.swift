import Foundation
import Testing
import TinsenseCore
import TinsenseReplay
import TinsenseStorage
import TinsenseTestSupport

@Suite("raw-stream archive")
struct RawStreamArchiveTests {
    @Test("files the WAL trims are linked into the archive in order, and the archive reads back every message")
    func keepsTrimmedFiles() throws {
        let dir = TemporaryDirectory("archive")
        let data = dir.file("data")
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        let archive = try RawStreamArchive(directory: dir.file("data/record"), dataDirectory: data, retentionHours: 0, maxGB: 0, logger: quietLogger)
        let wal = try WriteAheadLog(directory: data, maxFileBytes: 4096, logger: quietLogger)
        archive.attach(to: wal)
        let records = RecordingFixtures.records(count: 300)
        for r in records { try wal.append(r) }
        let end = try wal.rotate()
        try wal.removeFiles(before: WALPosition(file: end.file + 1, offset: 0))
        try wal.close()
        #expect(try WriteAheadLog.fileNumbers(in: data + "/wal").count == 1, "the WAL kept only its new file")
        #expect(Array(try archive.recording.records()) == records)
    }

    @Test("retention deletes the oldest files beyond max_gb and files whose messages are all older than retention_hours")
    func retention() throws {
        let dir = TemporaryDirectory("archive")
        let data = dir.file("data")
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        // One hour of messages, 10 s apart, in files of ~4 KB; keep half an hour.
        let records = RecordingFixtures.records(count: 360, gapMs: 10_000)
        try RecordingFixtures.write(records, to: dir.file("src"))
        let archive = try RawStreamArchive(directory: dir.file("data/record"), dataDirectory: data, retentionHours: 0.5, maxGB: 0, logger: quietLogger)
        let now = records.last!.receiveTime
        for n in try WriteAheadLog.fileNumbers(in: dir.file("src/wal")) {
            archive.keep(walFile: WALReader.path(walDirectory: dir.file("src/wal"), file: n), now: now)
        }
        let kept = Array(try archive.recording.records())
        #expect(!kept.isEmpty && kept.last == records.last)
        // The oldest file kept still holds messages inside the retention (its successor began
        // inside it); the file before it, all older, is gone.
        let archived = try archive.recording.files()
        let halfHour: Int64 = 30 * 60_000
        #expect(archived.count >= 2 && archived[1].firstReceiveTime!.milliseconds(to: now) <= halfHour)
        #expect(archived[0].firstReceiveTime!.milliseconds(to: now) > halfHour, "nothing younger than the retention was deleted")
        #expect(kept.first != records.first, "files wholly older than the retention were deleted")

        let small = try RawStreamArchive(directory: dir.file("data/small"), dataDirectory: data, retentionHours: 0, maxGB: 16_384.0 / 1_073_741_824, logger: quietLogger)
        for n in try WriteAheadLog.fileNumbers(in: dir.file("src/wal")) {
            small.keep(walFile: WALReader.path(walDirectory: dir.file("src/wal"), file: n), now: now)
        }
        let files = try small.recording.files()
        let sourceFiles = try WriteAheadLog.fileNumbers(in: dir.file("src/wal")).count
        #expect(files.reduce(0) { $0 + $1.bytes } <= 16_384)
        #expect(files.last?.number == UInt32(sourceFiles), "the newest file is always kept")
    }

    @Test("an archive on another file system is refused at start, naming both directories")
    func otherFileSystem() throws {
        let dir = TemporaryDirectory("archive")
        // /dev/shm is a tmpfs on Linux; the scratch directory is not (or the test says nothing).
        var a = stat(), b = stat()
        guard stat("/dev/shm", &a) == 0, stat(dir.path, &b) == 0, a.st_dev != b.st_dev else { return }
        let other = "/dev/shm/tinsense-archive-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: other) }
        #expect(throws: ArchiveError.self) {
            _ = try RawStreamArchive(directory: other, dataDirectory: dir.path, retentionHours: 1, maxGB: 1, logger: quietLogger)
        }
    }
}

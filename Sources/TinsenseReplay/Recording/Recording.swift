#if canImport(Glibc)
import Glibc
#endif
import TinsenseCore
import TinsenseStorage
import TinsenseSystem

/// A recording: a directory whose `wal/` holds WAL-format files (docs/FORMAT.md, "Recordings")
/// numbered in the order they were written. `tinsense record` writes one, the daemon's
/// raw-stream archive keeps one, and a data directory is one too (its WAL after the last trim).
///
/// A file's time range is [its first record's receive time, the next file's first record's
/// receive time): reading only each file's first record is how `--from` finds where to start
/// without an index that a crash could leave stale.
package struct Recording: Sendable {
    package let directory: String

    package init(directory: String) {
        self.directory = directory
    }

    /// `<directory>/wal`, where the files are.
    package var walDirectory: String { directory + "/wal" }

    /// One file of the recording.
    package struct File: Sendable, Equatable {
        package var number: UInt32
        package var path: String
        package var bytes: UInt64
        /// Receive time of its first intact record; nil when it has none.
        package var firstReceiveTime: Timestamp?
    }

    /// The files, oldest first. Throws when the directory holds no `wal/`.
    package func files() throws -> [File] {
        try WriteAheadLog.fileNumbers(in: walDirectory).map { n in
            let path = WALReader.path(walDirectory: walDirectory, file: n)
            var st = stat()
            let bytes = stat(path, &st) == 0 ? UInt64(st.st_size) : 0
            return File(number: n, path: path, bytes: bytes, firstReceiveTime: Recording.firstReceiveTime(walDirectory: walDirectory, file: n))
        }
    }

    /// The first record's receive time of file `n` (reads one record).
    static func firstReceiveTime(walDirectory: String, file n: UInt32) -> Timestamp? {
        guard var reader = try? WALReader.readOnly(walDirectory: walDirectory, fromFile: n),
              let e = reader.next(), e.start.file == n else { return nil }
        return e.record.receiveTime
    }

    /// The number of the file to start reading at for records received at or after `from`:
    /// the last file whose first record is not after `from` (records of the one before all
    /// came earlier, as receive times rise through a recording).
    package static func startFile(_ files: [File], from: Timestamp?) -> UInt32? {
        guard let first = files.first else { return nil }
        guard let from else { return first.number }
        var start = first.number
        for f in files {
            guard let t = f.firstReceiveTime else { continue }
            if t <= from { start = f.number } else { break }
        }
        return start
    }

    /// Reads the records received in [from, to), in recorded order.
    package func records(from: Timestamp? = nil, to: Timestamp? = nil) throws -> RecordingReader {
        let files = try files()
        return RecordingReader(recording: self, files: files, from: from, to: to)
    }
}

/// Streams a recording's records in [from, to) with where it is (for progress), and collects
/// the damage met: a damaged record ends its file, the next file is read on, and everything
/// before the damage is kept.
package struct RecordingReader: Sequence, IteratorProtocol {
    let from: Timestamp?
    let to: Timestamp?
    var inner: WALReader?
    private var filesBefore: [UInt32: UInt64] = [:]
    /// Bytes of all files from the start file on (the whole run, for progress).
    package let totalBytes: UInt64
    /// Bytes of the files read so far plus the position in the current one.
    package private(set) var bytesRead: UInt64 = 0
    /// Receive time of the last file's first record, a lower bound of where the recording ends.
    package let lastFileStart: Timestamp?
    private var ended = false
    /// The file being read and the bytes of the files before it (`filesBefore`'s, looked up
    /// once a file, not once a record).
    private var currentFile: UInt32?
    private var currentFileStart: UInt64 = 0

    init(recording: Recording, files: [Recording.File], from: Timestamp?, to: Timestamp?) {
        self.from = from
        self.to = to
        let start = Recording.startFile(files, from: from)
        let used = files.filter { start != nil && $0.number >= start! }
        var before: UInt64 = 0
        for f in used {
            filesBefore[f.number] = before
            before += f.bytes
        }
        totalBytes = before
        lastFileStart = files.last?.firstReceiveTime
        if let start { inner = try? WALReader.readOnly(walDirectory: recording.walDirectory, fromFile: start) }
    }

    /// Damage met so far (file, offset, reason).
    package var damage: [DamageReport] { inner?.damage ?? [] }

    package mutating func next() -> WALRecord? {
        var record = WALRecord.empty
        return next(into: &record) ? record : nil
    }

    /// The next record in the range, decoded into `record` (its arrays reused: a loop that
    /// keeps one record allocates nothing per record); false at the end.
    package mutating func next(into record: inout WALRecord) -> Bool {
        while !ended, let (_, end) = inner?.next(into: &record) {
            if end.file != currentFile {
                currentFile = end.file
                currentFileStart = filesBefore[end.file] ?? currentFileStart
            }
            bytesRead = currentFileStart + end.offset
            let t = record.receiveTime
            if let from, t < from { continue }
            if let to, t >= to {
                // Past the range; a later file cannot come back into it.
                ended = true
                return false
            }
            return true
        }
        return false
    }
}

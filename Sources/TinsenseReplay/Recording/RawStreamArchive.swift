#if canImport(Glibc)
import Glibc
#endif
import Logging
import TinsenseCore
import TinsenseStorage
import TinsenseSystem

/// The daemon's raw-stream archive (`[record]`): keeps the received stream for
/// `retention_hours` / `max_gb` beyond the WAL's life, as a recording (`<dir>/wal/*.wal`).
///
/// Design: when storage trims the WAL (on the pipeline thread, after a seal), each file about
/// to be deleted is hard-linked into the recording first (`link(2)`: no copy, O(1)), then the
/// oldest recorded files beyond the retention are deleted. Nothing runs on the network
/// thread's `on_message` path and nothing is copied, so the archive costs ingest nothing and
/// its work is bounded by the number of files. Hence `dir` must be on the data directory's
/// file system (checked at start). A failed link is logged and the file is let go: the
/// archive never holds up ingestion, and the gap is named in the log.
package final class RawStreamArchive: Sendable {
    package let recording: Recording
    let retentionMs: Int64?
    let maxBytes: Int64?
    let logger: Logger
    private let lock = Guarded<Void>(())

    /// Opens (creating) the archive at `directory`; throws when it is not on the same file
    /// system as `dataDirectory`.
    package init(directory: String, dataDirectory: String, retentionHours: Double, maxGB: Double, logger: Logger) throws {
        recording = Recording(directory: directory)
        retentionMs = retentionHours > 0 ? Int64(retentionHours * 3_600_000) : nil
        maxBytes = maxGB > 0 ? Int64(maxGB * 1_073_741_824) : nil
        self.logger = logger
        try PosixIO.makeDirectories(recording.walDirectory)
        var a = stat(), b = stat()
        guard stat(recording.walDirectory, &a) == 0, stat(dataDirectory, &b) == 0 else {
            throw ArchiveError.cannotStat(directory)
        }
        guard a.st_dev == b.st_dev else { throw ArchiveError.otherFileSystem(directory, dataDirectory) }
    }

    /// Makes `wal` hand every file it trims to this archive.
    package func attach(to wal: WriteAheadLog) {
        wal.keepRemovedFiles { [self] path in keep(walFile: path, now: WallClock.now()) }
    }

    /// Links `path` in as the recording's next file, then applies the retention.
    package func keep(walFile path: String, now: Timestamp) {
        lock.withLock { _ in
            do {
                let next = (try WriteAheadLog.fileNumbers(in: recording.walDirectory).last ?? 0) + 1
                let target = WALReader.path(walDirectory: recording.walDirectory, file: next)
                guard Glibc.link(path, target) == 0 else { throw ArchiveError.link(path, target, errno) }
                try PosixIO.fsyncDirectory(recording.walDirectory)
                try prune(now: now)
            } catch {
                logger.error("raw-stream archive: cannot keep a trimmed WAL file; the recording has a gap", metadata: [
                    "file": "\(path)", "error": "\(error)",
                ])
            }
        }
    }

    /// Deletes the oldest files while the archive is larger than `max_gb`, and every file
    /// whose successor began before `now − retention_hours` (all its records are older).
    /// The newest file is never deleted for its age.
    func prune(now: Timestamp) throws {
        var files = try recording.files()
        var total = files.reduce(Int64(0)) { $0 + Int64($1.bytes) }
        var removed = 0
        while files.count > 1 {
            let tooBig = maxBytes.map { total > $0 } ?? false
            let tooOld = retentionMs.map { r in files[1].firstReceiveTime.map { $0.milliseconds(to: now) > r } ?? false } ?? false
            guard tooBig || tooOld else { break }
            try PosixIO.unlink(files[0].path)
            total -= Int64(files[0].bytes)
            files.removeFirst()
            removed += 1
        }
        if removed > 0 {
            try PosixIO.fsyncDirectory(recording.walDirectory)
            logger.info("raw-stream archive: removed files beyond retention", metadata: ["files": "\(removed)", "bytes_kept": "\(total)"])
        }
    }
}

package enum ArchiveError: Error, CustomStringConvertible {
    case cannotStat(String)
    case otherFileSystem(String, String)
    case link(String, String, Int32)

    package var description: String {
        switch self {
        case .cannotStat(let d): "cannot stat \(d)"
        case .otherFileSystem(let d, let data):
            "record.dir \(d) is not on the file system of daemon.data_dir \(data): the archive hard-links WAL files and never copies them"
        case .link(let a, let b, let e): "link(\(a), \(b)) failed: \(String(cString: strerror(e)))"
        }
    }
}

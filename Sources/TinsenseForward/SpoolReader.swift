#if canImport(Glibc)
import Glibc
#endif
import Logging
import TinsenseCore
import TinsenseSystem

/// The forwarder's side of the spool: reads the records after the cursor in order, one
/// batch from one file at a time, and moves the cursor only when told the batch was
/// acknowledged (or set aside as rejected).
///
/// It never reads past the writer's published end, so it never sees a record being written.
/// A file before the live one is final: at its end (or at a torn or damaged record, which
/// ends what is trusted in that file, like the WAL) the reader moves to the next file.
final class SpoolReader {
    let spool: Spool
    let logger: Logger
    private(set) var cursor: SpoolCursor
    private var fd: Int32 = -1
    private var fdFile: UInt32 = 0
    /// Records skipped as damaged (a torn tail after a power loss), for the log and tests.
    private(set) var damagedFiles = 0

    /// A run of readings and the position just after the last of them.
    struct Batch {
        var readings: [Reading]
        var end: SpoolPosition
        /// The batch is from a file the writer has closed: short only because the file ended,
        /// so there is no point waiting for more.
        var fromFinalFile: Bool
    }

    init(spool: Spool, logger: Logger) {
        self.spool = spool
        self.logger = logger
        cursor = SpoolCursor.load(directory: spool.directory) ?? SpoolCursor(position: .start(of: 0), newestAcknowledged: nil)
    }

    deinit { if fd >= 0 { PosixIO.close(fd) } }

    /// The cursor moved onto a file that exists (the oldest one after it), or the live end.
    private func normalized(_ p: SpoolPosition, _ sizes: [UInt32: Int], _ live: SpoolPosition) -> SpoolPosition {
        var p = p
        // A cursor ahead of every file (the spool directory was emptied by hand) starts over.
        if p.file > live.file { p = .start(of: sizes.keys.min() ?? live.file) }
        while p < live {
            if let size = sizes[p.file], p.offset < size || p.file == live.file { return p }
            guard let next = sizes.keys.filter({ $0 > p.file }).min() else { return live }
            p = .start(of: next)
        }
        return p
    }

    /// Up to `max` readings after the cursor, or nil when none is spooled yet.
    func nextBatch(max: Int) -> Batch? {
        while true {
            let snap = spool.snapshot()
            let p = normalized(cursor.position, snap.sizes, snap.live)
            if p != cursor.position { cursor.position = p }
            guard p < snap.live else { return nil }
            let limit = p.file == snap.live.file ? snap.live.offset : (snap.sizes[p.file] ?? p.offset)
            guard limit > p.offset else { cursor.position = endOfFile(p); continue }
            guard let bytes = read(file: p.file, from: p.offset, count: min(limit - p.offset, 4 << 20)) else {
                cursor.position = endOfFile(p)
                continue
            }
            var readings: [Reading] = []
            var offset = 0
            var damage: String?
            bytes.withUnsafeBytes { buffer in
                while readings.count < max {
                    switch SpoolFormat.decode(buffer, at: offset) {
                    case .reading(let r, let size):
                        readings.append(r)
                        offset += size
                    case .incomplete:
                        if p.offset + offset < limit && bytes.count == limit - p.offset { damage = "torn record" }
                        return
                    case .damaged(let why):
                        damage = why
                        return
                    }
                }
            }
            if let damage, readings.isEmpty {
                damagedFiles += 1
                logger.error("forward spool: damaged record; the rest of the file is skipped", metadata: [
                    "file": "\(SpoolFormat.fileName(p.file))", "offset": "\(p.offset + offset)", "reason": "\(damage)",
                ])
                cursor.position = endOfFile(p)
                continue
            }
            if readings.isEmpty { return nil }
            return Batch(readings: readings, end: SpoolPosition(file: p.file, offset: p.offset + offset), fromFinalFile: p.file != snap.live.file)
        }
    }

    /// A position past every record of `p`'s file, so that `normalized` moves to the next.
    private func endOfFile(_ p: SpoolPosition) -> SpoolPosition { SpoolPosition(file: p.file, offset: Int.max) }

    private func read(file: UInt32, from offset: Int, count: Int) -> [UInt8]? {
        if fd < 0 || fdFile != file {
            if fd >= 0 { PosixIO.close(fd) }
            fd = (try? PosixIO.open(spool.directory + "/" + SpoolFormat.fileName(file), flags: O_RDONLY)) ?? -1
            fdFile = file
            guard fd >= 0 else { return nil }
            guard let magic = try? PosixIO.read(fd, count: SpoolFormat.headerSize, at: 0), magic == SpoolFormat.fileMagic else {
                logger.error("forward spool: file without a spool header skipped", metadata: ["file": "\(SpoolFormat.fileName(file))"])
                return nil
            }
        }
        return try? PosixIO.read(fd, count: count, at: UInt64(offset))
    }

    /// Records `batch` as done (acknowledged, or set aside as rejected): the cursor is saved
    /// first, then the files wholly before it are deleted.
    func commit(_ batch: Batch) throws {
        cursor.position = batch.end
        let newest = batch.readings.map(\.receiveTime).max()
        if let newest { cursor.newestAcknowledged = max(cursor.newestAcknowledged ?? newest, newest) }
        try cursor.save(directory: spool.directory)
        spool.removeFiles(before: cursor.position.file)
    }
}

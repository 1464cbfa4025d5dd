#if canImport(Glibc)
import Glibc
#endif
import TinsenseCore
import TinsenseSystem

/// The disk-backed queue between the pipeline thread, which appends every stored reading,
/// and the forwarder thread, which reads them in order (`SpoolReader`) and deletes the files
/// it has had acknowledged.
///
/// Appending is one `write(2)` of one CRC-framed record (docs/FORMAT.md, "Forward spool") on
/// the pipeline thread, never a wait on the network: the page cache keeps it through a
/// kill -9, and `sync()` (the daemon's group commit) through a power loss. Each start begins
/// a new file, so files of earlier runs are final and a torn tail can only be the last
/// record of one of them. The spool holds at most `maxBytes` (whole files, counted on disk);
/// a reading that would pass it is refused, and refusals go on until the spool has drained to
/// three quarters of the bound, so a slow database does not flap the alert.
package final class Spool: Sendable {
    package let directory: String
    package let maxBytes: Int
    /// A file is closed and a new one started beyond this size: an eighth of the bound (at
    /// least 4 KiB, at most 64 MiB), so the spool frees space in steps of that size.
    let fileMaxBytes: Int

    /// What one append did.
    package enum Appended: Equatable {
        case spooled
        /// The spool is at its bound; the reading stays in local storage only.
        case full
        /// The spool could not be written (disk full, I/O error); `error` says why.
        case failed(String)
    }

    private struct State: ~Copyable {
        var fd: Int32
        /// The file being written and its size (the end of its last whole record).
        var live: SpoolPosition
        /// Size of every spool file on disk, the live one included.
        var sizes: [UInt32: Int]
        var totalBytes: Int
        var refusing = false
        /// Receive time of the newest reading appended (this run).
        var newestReceive: Timestamp?
        /// Receive time of the first reading appended (this run).
        var firstReceive: Timestamp?
        var scratch: [UInt8] = []
    }

    private let state: Guarded<State>

    /// Opens the spool in `directory` (created if needed) and starts a new live file after
    /// the newest one there.
    package init(directory: String, maxBytes: Int) throws {
        self.directory = directory
        self.maxBytes = maxBytes
        fileMaxBytes = min(64 << 20, max(4096, maxBytes / 8))
        try PosixIO.makeDirectories(directory)
        var sizes: [UInt32: Int] = [:]
        for name in try PosixIO.listDirectory(directory) {
            guard let n = SpoolFormat.number(fromFileName: name) else { continue }
            var st = stat()
            if stat(directory + "/" + name, &st) == 0 { sizes[n] = Int(st.st_size) }
        }
        let number = (sizes.keys.max() ?? 0) + 1
        let fd = try Spool.create(directory: directory, number: number)
        sizes[number] = SpoolFormat.headerSize
        state = Guarded(State(fd: fd, live: .start(of: number), sizes: sizes, totalBytes: sizes.values.reduce(0, +)))
    }

    deinit {
        state.withLock { s in PosixIO.close(s.fd) }
    }

    private static func create(directory: String, number: UInt32) throws -> Int32 {
        let path = directory + "/" + SpoolFormat.fileName(number)
        let fd = try PosixIO.open(path, flags: O_WRONLY | O_CREAT | O_TRUNC)
        do {
            try PosixIO.writeAll(fd, SpoolFormat.fileMagic, at: 0)
            try PosixIO.fsyncDirectory(directory)
        } catch {
            PosixIO.close(fd)
            throw error
        }
        return fd
    }

    /// Appends `reading` (pipeline thread). Never blocks on anything but the local disk.
    package func append(_ reading: Reading) -> Appended {
        state.withLock { s in
            s.scratch.removeAll(keepingCapacity: true)
            guard SpoolFormat.appendRecord(reading, to: &s.scratch) else { return .failed("sensor id or unit longer than 65,535 bytes") }
            let size = s.scratch.count
            if s.refusing, s.totalBytes > maxBytes / 4 * 3 { return .full }
            if s.totalBytes + size > maxBytes {
                s.refusing = true
                return .full
            }
            s.refusing = false
            if s.live.offset + size > fileMaxBytes, s.live.offset > SpoolFormat.headerSize {
                if let error = rotate(&s) { return .failed(error) }
            }
            let scratch = s.scratch
            do {
                try PosixIO.writeAll(s.fd, scratch, at: UInt64(s.live.offset))
            } catch {
                // Never leave half a record that a later record would be glued onto.
                try? PosixIO.truncate(s.fd, to: UInt64(s.live.offset))
                return .failed("\(error)")
            }
            s.live.offset += size
            s.sizes[s.live.file] = s.live.offset
            s.totalBytes += size
            s.newestReceive = max(s.newestReceive ?? reading.receiveTime, reading.receiveTime)
            if s.firstReceive == nil { s.firstReceive = reading.receiveTime }
            return .spooled
        }
    }

    /// Closes the live file (fsynced: it is final from now on) and starts the next one.
    private func rotate(_ s: inout State) -> String? {
        let next = s.live.file + 1
        do {
            try PosixIO.fdatasync(s.fd)
            let fd = try Spool.create(directory: directory, number: next)
            PosixIO.close(s.fd)
            s.fd = fd
        } catch {
            return "starting spool file \(SpoolFormat.fileName(next)): \(error)"
        }
        s.live = .start(of: next)
        s.sizes[next] = SpoolFormat.headerSize
        s.totalBytes += SpoolFormat.headerSize
        return nil
    }

    /// Makes what was appended survive a power loss (the daemon's group-commit timer). The
    /// descriptor is duplicated under the lock and synced outside it, so the pipeline is not
    /// held up by the disk.
    package func sync() {
        let fd = state.withLock { s in dup(s.fd) }
        guard fd >= 0 else { return }
        try? PosixIO.fdatasync(fd)
        PosixIO.close(fd)
    }

    /// The end of what is written, the spool files with their sizes, and the newest receive
    /// time appended: what the reader may read (never past a record being written).
    func snapshot() -> (live: SpoolPosition, sizes: [UInt32: Int], newestReceive: Timestamp?, firstReceive: Timestamp?) {
        state.withLock { s in (s.live, s.sizes, s.newestReceive, s.firstReceive) }
    }

    /// True when a record was written after `position` (a cursor).
    func hasRecords(after position: SpoolPosition) -> Bool {
        state.withLock { s in
            if position.file >= s.live.file { return position.file == s.live.file ? position.offset < s.live.offset : false }
            if let size = s.sizes[position.file], position.offset < size { return true }
            return s.sizes.contains { $0.key > position.file && $0.value > SpoolFormat.headerSize }
        }
    }

    /// Bytes on disk and whether new readings would be refused now (at the bound, and not yet
    /// drained to three quarters of it).
    package var usage: (bytes: Int, refusing: Bool) {
        state.withLock { s in (s.totalBytes, s.refusing && s.totalBytes > maxBytes / 4 * 3) }
    }

    /// Deletes every file before `file` (all acknowledged); never the live file.
    func removeFiles(before file: UInt32) {
        let doomed: [UInt32] = state.withLock { s in s.sizes.keys.filter { $0 < file && $0 != s.live.file }.sorted() }
        for n in doomed {
            try? PosixIO.unlink(directory + "/" + SpoolFormat.fileName(n))
            state.withLock { s in
                if let size = s.sizes.removeValue(forKey: n) { s.totalBytes -= size }
            }
        }
    }

    package var path: String { directory }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TinsenseCore
import TinsenseSystem

/// The alert log file (`alerts.jsonl`): one JSON object per line per transition, safe to
/// `tail -F alerts.jsonl | jq` while the daemon writes.
///
/// - Every line goes out in a single `write(2)` on an `O_APPEND` descriptor under a lock, so
///   concurrent writers never interleave or split lines, and a reader never sees half a line
///   except at the very end of the file while a write is in flight.
/// - Size rotation happens *between* lines: when the next line would take the file past
///   `maxBytes`, `alerts.jsonl` becomes `alerts.jsonl.1` (`.1` → `.2`, …, the oldest beyond
///   `keep` is removed) and a new file is started. A line longer than `maxBytes` is written
///   whole into a fresh file; no line is ever lost or split.
/// - `reopen()` is for logrotate's `postrotate` (the daemon calls it on SIGHUP): it closes
///   the descriptor and opens the path again, so a file renamed away is left complete.
///
/// - A failed write never leaves half a line and never drops the alert: the file is truncated
///   back to its last whole line, and the line is kept in memory (at most `maxPendingLines`;
///   beyond, the oldest kept line is dropped and counted) and written, in order, before the
///   next line or at the next `sync()` — retried with a backoff while the disk is full.
/// - Opening repairs a torn last line (a crash mid-write): it is cut off, so the next line is
///   not glued onto it; the daemon's WAL replay writes that transition again, whole.
///
/// Writes are not fsynced one by one (alerts are also in the daemon's memory and republished);
/// call `sync()` from the daemon's group-commit timer if the log must survive power loss.
package final class AlertLog: Sendable {
    package let path: String
    package let maxBytes: Int
    package let keep: Int

    /// Lines kept in memory while the file cannot be written.
    package static let maxPendingLines = 10_000

    private struct State: ~Copyable {
        var fd: Int32
        var size: Int
        /// Whole lines not yet written, oldest first.
        var pending: [[UInt8]] = []
        /// Lines dropped because `pending` was full.
        var dropped = 0
        var backoff = RetryBackoff()
    }

    private let state: Guarded<State>

    /// Opens (creating if needed) the log at `path` for appending.
    /// - Parameters:
    ///   - maxBytes: size at which the file rotates (at least 1 KiB is sensible).
    ///   - keep: rotated files to keep (`path.1` … `path.keep`); 0 keeps none.
    /// - Throws: `AlertLogError` if the file cannot be opened.
    package init(path: String, maxBytes: Int = 64 << 20, keep: Int = 5) throws(AlertLogError) {
        self.path = path
        self.maxBytes = max(1, maxBytes)
        self.keep = max(0, keep)
        let (fd, size) = try Self.open(path)
        state = Guarded(State(fd: fd, size: size))
    }

    deinit {
        state.withLock { s in
            if s.fd >= 0 { PosixIO.close(s.fd) }
        }
    }

    /// Appends one transition as one line, rotating first if the line would not fit.
    package func write(_ transition: AlertTransition) throws(AlertLogError) {
        try write(line: transition.jsonLineBytes)
    }

    /// Appends pre-encoded bytes that end in a newline (one or more whole lines). On failure
    /// the bytes are kept and written later (see the type's notes) and the error is thrown so
    /// the caller can say so; only `.closed` means the line is not kept.
    package func write(line bytes: [UInt8]) throws(AlertLogError) {
        let result: AlertLogError? = state.withLock { s in
            guard s.fd >= 0 else { return .closed(path) }
            if !s.pending.isEmpty {
                keep(bytes, &s)
                return flushPending(&s, force: true)
            }
            if let error = append(bytes, &s) {
                keep(bytes, &s)
                s.backoff.failed()
                return error
            }
            return nil
        }
        if let result { throw result }
    }

    /// Lines kept in memory, waiting for the file to be writable again.
    package var pendingLines: Int { state.withLock { $0.pending.count } }
    /// Lines dropped because more than `maxPendingLines` were waiting.
    package var droppedLines: Int { state.withLock { $0.dropped } }

    /// Writes one line whole, rotating first if it would not fit, or truncates the file back
    /// to where it was and returns the error.
    private func append(_ bytes: [UInt8], _ s: inout State) -> AlertLogError? {
        if s.size > 0 && s.size + bytes.count > maxBytes {
            if let error = rotate(&s) { return error }
        }
        if let error = Self.failure(path, { try PosixIO.appendAll(s.fd, bytes) }) {
            _ = Self.failure(path) { try PosixIO.truncate(s.fd, to: UInt64(s.size)) }
            return error
        }
        s.size += bytes.count
        return nil
    }

    private func keep(_ bytes: [UInt8], _ s: inout State) {
        if s.pending.count >= Self.maxPendingLines {
            s.pending.removeFirst()
            s.dropped += 1
        }
        s.pending.append(bytes)
    }

    /// Writes kept lines in order until one fails; unless `force`, only when the backoff says
    /// another attempt is due.
    private func flushPending(_ s: inout State, force: Bool) -> AlertLogError? {
        guard force || s.backoff.isDue else { return nil }
        var written = 0
        var failure: AlertLogError?
        for line in s.pending {
            if let error = append(line, &s) { failure = error; break }
            written += 1
        }
        s.pending.removeFirst(written)
        if failure != nil { s.backoff.failed() } else { s.backoff = RetryBackoff() }
        return failure
    }

    /// Closes and reopens `path` (after logrotate renamed it away). Lines written before
    /// stay in the renamed file; later ones go to the new file.
    package func reopen() throws(AlertLogError) {
        let result: AlertLogError? = state.withLock { (s: inout State) -> AlertLogError? in
            switch Result(catching: { () throws(AlertLogError) in try Self.open(path) }) {
            case .success(let (fd, size)):
                if s.fd >= 0 { PosixIO.close(s.fd) }
                s.fd = fd
                s.size = size
                return nil
            case .failure(let error):
                return error
            }
        }
        if let result { throw result }
    }

    /// Writes kept lines (when a retry is due) and flushes written lines to stable storage.
    package func sync() throws(AlertLogError) {
        let result: AlertLogError? = state.withLock { s in
            guard s.fd >= 0 else { return .closed(path) }
            if !s.pending.isEmpty, let error = flushPending(&s, force: false) { return error }
            return Self.failure(path) { try PosixIO.fsync(s.fd) }
        }
        if let result { throw result }
    }

    /// Closes the file; later writes throw `.closed`.
    package func close() {
        state.withLock { s in
            if s.fd >= 0, !s.pending.isEmpty { _ = flushPending(&s, force: true) }
            if s.fd >= 0 { PosixIO.close(s.fd) }
            s.fd = -1
        }
    }

    /// Current size of the live file in bytes.
    package var currentSize: Int { state.withLock { $0.size } }

    // MARK: - internals

    private func rotate(_ s: inout State) -> AlertLogError? {
        if keep == 0 {
            if let error = Self.failure(path, { try PosixIO.unlink(path) }) { return error }
        } else {
            var i = keep - 1
            while i >= 1 {
                let from = "\(path).\(i)", to = "\(path).\(i + 1)"
                // A missing older file is a gap in the numbering, not a failure.
                switch Self.failure(from, { try PosixIO.rename(from, to) }) {
                case nil, .io(_, _, ENOENT)?: break
                case let error?: return error
                }
                i -= 1
            }
            if let error = Self.failure(path, { try PosixIO.rename(path, "\(path).1") }) { return error }
        }
        switch Result(catching: { () throws(AlertLogError) in try Self.open(path) }) {
        case .success(let (fd, size)):
            PosixIO.close(s.fd)
            s.fd = fd
            s.size = size
            return nil
        case .failure(let error):
            return error
        }
    }

    private static func open(_ path: String) throws(AlertLogError) -> (Int32, Int) {
        let fd: Int32
        do {
            fd = try PosixIO.open(path, flags: O_RDWR | O_CREAT | O_APPEND)
        } catch {
            throw logError(error, path: path)
        }
        do {
            return (fd, Int(try repairTornTail(fd)))
        } catch {
            PosixIO.close(fd)
            throw logError(error, path: path)
        }
    }

    /// Cuts a last line that lacks its newline (a write torn by a crash) and returns the
    /// file's size after.
    private static func repairTornTail(_ fd: Int32) throws -> UInt64 {
        let size = try PosixIO.fileSize(fd)
        guard size > 0, try PosixIO.read(fd, count: 1, at: size - 1) != [0x0A] else { return size }
        var end = size
        let step: UInt64 = 64 << 10
        while end > 0 {
            let start = end > step ? end - step : 0
            let chunk = try PosixIO.read(fd, count: Int(end - start), at: start)
            if let i = chunk.lastIndex(of: 0x0A) {
                let keep = start + UInt64(i) + 1
                try PosixIO.truncate(fd, to: keep)
                return keep
            }
            end = start
        }
        try PosixIO.truncate(fd, to: 0)
        return 0
    }

    /// Runs one `PosixIO` call and returns its failure, if any, as an `AlertLogError`.
    private static func failure(_ path: String, _ body: () throws -> Void) -> AlertLogError? {
        do {
            try body()
            return nil
        } catch {
            return logError(error, path: path)
        }
    }

    /// The `PosixIO.Failure` with the log's path instead of the descriptor number.
    private static func logError(_ error: any Error, path: String) -> AlertLogError {
        guard let failure = error as? PosixIO.Failure else { return .io(operation: "\(error)", path: path, errno: EIO) }
        return .io(operation: failure.operation, path: path, errno: failure.errno)
    }
}

/// When a kept line is tried again: 50 ms doubling to 5 s, on the monotonic clock.
struct RetryBackoff {
    private var delayNanoseconds: UInt64 = 0
    private var notBefore: UInt64 = 0

    var isDue: Bool { RetryBackoff.now() >= notBefore }

    mutating func failed() {
        delayNanoseconds = delayNanoseconds == 0 ? 50_000_000 : min(delayNanoseconds * 2, 5_000_000_000)
        notBefore = RetryBackoff.now() + delayNanoseconds
    }

    static func now() -> UInt64 {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return UInt64(t.tv_sec) * 1_000_000_000 + UInt64(t.tv_nsec)
    }
}

/// Why the alert log could not be written, with the OS error.
package enum AlertLogError: Error, Sendable, Hashable, CustomStringConvertible {
    case io(operation: String, path: String, errno: Int32)
    case closed(String)

    package var description: String {
        switch self {
        case .io(let op, let path, let e): "\(op) \(path): \(String(cString: strerror(e)))"
        case .closed(let path): "alert log \(path) is closed"
        }
    }
}

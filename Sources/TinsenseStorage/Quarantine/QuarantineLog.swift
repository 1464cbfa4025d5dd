#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging
import TinsenseCore
import TinsenseSystem

/// One rejected reading or payload as written to `quarantine/quarantine.jsonl`.
/// Field names are stable (docs/FORMAT.md); tools match on `reason`.
public struct QuarantineEntry: Codable, Sendable, Equatable {
    /// Receive time, RFC 3339 UTC.
    public var time: String
    public var topic: String
    /// The sensor the topic resolved to, when it did.
    public var sensor: String?
    public var reason: String
    public var detail: String
    /// The payload (its first `quarantine_payload_bytes`), as text when it is UTF-8…
    public var payload: String?
    /// …or base64 when it is not.
    public var payloadBase64: String?
    /// The payload's full size in bytes, and whether `payload` was cut.
    public var payloadBytes: Int
    public var truncated: Bool
    /// Which item of a batch payload (0 for a single reading or a whole-payload rejection).
    public var item: Int
    /// The message's WAL end position (`file:offset`), which makes replay idempotent.
    public var wal: String?

    enum CodingKeys: String, CodingKey {
        case time, topic, sensor, reason, detail, payload
        case payloadBase64 = "payload_base64"
        case payloadBytes = "payload_bytes"
        case truncated, item, wal
    }
}

/// The quarantine: an append-only JSONL file of every rejected reading, so nothing the
/// daemon refuses is lost without a trace.
///
/// Replaying the WAL after a crash would quarantine the same messages again, so the log
/// remembers the highest (WAL position, item) it holds and skips entries at or below it.
///
/// Bounded on disk like the alert log: when the next line would take `quarantine.jsonl` past
/// `maxBytes`, the file is fsynced and renamed to `quarantine.jsonl.1` (`.1` → `.2`, …; the
/// oldest beyond `keep` is deleted) and a new file is started — between lines, so no line is
/// split. The high-water mark survives rotation: in memory it is kept; on open it is read
/// from the newest file that has one (the live file may be empty just after a rotation).
public final class QuarantineLog: Sendable {
    public let path: String
    public let payloadLimit: Int
    /// Size at which the live file is rotated.
    public let maxBytes: UInt64
    /// Rotated files kept (`path.1` … `path.keep`).
    public let keep: Int
    let logger: Logger
    private let state: Guarded<State>

    struct State {
        var fd: Int32
        var size: UInt64
        var dirty = false
        var highWater: (WALPosition, Int)?
    }

    public init(dataDirectory: String, payloadLimit: Int = 1024, maxBytes: Int = 64 << 20, keep: Int = 10, logger: Logger) throws {
        let dir = dataDirectory + "/quarantine"
        try PosixIO.makeDirectories(dir)
        path = dir + "/quarantine.jsonl"
        self.payloadLimit = payloadLimit
        self.maxBytes = UInt64(max(1, maxBytes))
        self.keep = max(1, keep)
        self.logger = logger
        let fd = try PosixIO.open(path, flags: O_RDWR | O_CREAT)
        var size = try PosixIO.fileSize(fd)
        // A crash can leave a partial last line: cut it so every line stays valid JSON.
        // Search backwards in chunks for the last newline (a line may be longer than a chunk).
        var lastNewline: UInt64?
        var searchEnd = size
        while searchEnd > 0, lastNewline == nil {
            let chunk = min(searchEnd, 64 * 1024)
            let bytes = try PosixIO.read(fd, count: Int(chunk), at: searchEnd - chunk)
            if let i = bytes.lastIndex(of: 0x0A) { lastNewline = searchEnd - chunk + UInt64(i) }
            searchEnd -= chunk
        }
        let keep = lastNewline.map { $0 + 1 } ?? 0
        if keep < size {
            try PosixIO.truncate(fd, to: keep)
            logger.warning("cut a partial last line from the quarantine log", metadata: ["bytes": "\(size - keep)"])
            size = keep
        }
        // The high-water mark comes from the last complete lines of the newest file that has
        // any: just after a rotation the live file is empty and the mark is in `.1`.
        var highWater = try QuarantineLog.highWater(fd: fd, size: size)
        var older = 1
        while highWater == nil, older <= self.keep {
            let rotated = "\(path).\(older)"
            guard let rfd = try? PosixIO.open(rotated, flags: O_RDONLY) else { break }
            defer { PosixIO.close(rfd) }
            highWater = try QuarantineLog.highWater(fd: rfd, size: try PosixIO.fileSize(rfd))
            older += 1
        }
        state = Guarded(State(fd: fd, size: size, highWater: highWater))
    }

    /// The (WAL position, item) of the last of the file's final 64 complete lines that has one.
    private static func highWater(fd: Int32, size: UInt64) throws -> (WALPosition, Int)? {
        let decoder = JSONDecoder()
        var lineEnd = size
        var linesTried = 0
        while lineEnd > 0, linesTried < 64 {
            // The line is [lineStart, lineEnd); its start follows the previous newline, if any.
            var lineStart: UInt64 = 0
            var probe = lineEnd - 1
            while probe > 0 {
                let chunk = min(probe, 64 * 1024)
                let bytes = try PosixIO.read(fd, count: Int(chunk), at: probe - chunk)
                if let i = bytes.lastIndex(of: 0x0A) {
                    lineStart = probe - chunk + UInt64(i) + 1
                    break
                }
                probe -= chunk
            }
            let line = try PosixIO.read(fd, count: Int(lineEnd - lineStart), at: lineStart)
            if let entry = try? decoder.decode(QuarantineEntry.self, from: Data(line.prefix { $0 != 0x0A })),
               let w = entry.wal.flatMap({ WALPosition($0) }) {
                return (w, entry.item)
            }
            lineEnd = lineStart
            linesTried += 1
        }
        return nil
    }

    deinit {
        state.withLock { _ = Glibc.close($0.fd) }
    }

    /// Appends one entry. Returns false when it was skipped as already written (replay).
    @discardableResult
    public func append(
        receiveTime: Timestamp, topic: String, sensor: String?, reason: RejectReason, detail: String,
        payload: UnsafeRawBufferPointer, item: Int = 0, wal: WALPosition?
    ) throws -> Bool {
        let shown = UnsafeRawBufferPointer(rebasing: payload.prefix(payloadLimit))
        var text: String?
        var base64: String?
        if let s = String(validating: shown, as: UTF8.self) {
            text = s
        } else {
            base64 = Data(shown).base64EncodedString()
        }
        let entry = QuarantineEntry(
            time: receiveTime.description, topic: topic, sensor: sensor, reason: reason.rawValue,
            detail: detail, payload: text, payloadBase64: base64, payloadBytes: payload.count,
            truncated: payload.count > shown.count, item: item, wal: wal?.description
        )
        return try append(entry, wal: wal)
    }

    func append(_ entry: QuarantineEntry, wal: WALPosition?) throws -> Bool {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var line = Array(try encoder.encode(entry))
        line.append(0x0A)
        return try state.withLock { s in
            if let w = wal, let (hw, hwItem) = s.highWater, (w, entry.item) <= (hw, hwItem) {
                return false
            }
            if s.size > 0, s.size + UInt64(line.count) > maxBytes {
                try rotate(&s)
            }
            do {
                try PosixIO.writeAll(s.fd, line, at: s.size)
            } catch {
                try? PosixIO.truncate(s.fd, to: s.size)
                throw error
            }
            s.size += UInt64(line.count)
            s.dirty = true
            if let w = wal { s.highWater = (w, entry.item) }
            return true
        }
    }

    /// `path` becomes `path.1` (after `.1` → `.2` …), a new empty `path` is opened. The old
    /// file is synced first, so a rotated file is always complete. A step that fails throws
    /// and leaves the current descriptor in use; the next append tries again (a missing
    /// file in the chain is a gap, not a failure).
    private func rotate(_ s: inout State) throws {
        try PosixIO.fdatasync(s.fd)
        s.dirty = false
        try? PosixIO.unlink("\(path).\(keep)")
        var i = keep - 1
        while i >= 0 {
            let from = i == 0 ? path : "\(path).\(i)"
            do {
                try PosixIO.rename(from, "\(path).\(i + 1)")
            } catch let e as PosixIO.Failure where e.errno == ENOENT {
                // A gap in the numbering.
            }
            i -= 1
        }
        let fd = try PosixIO.open(path, flags: O_RDWR | O_CREAT | O_EXCL)
        PosixIO.close(s.fd)
        s.fd = fd
        s.size = 0
        try? PosixIO.fsyncDirectory((path as NSString).deletingLastPathComponent)
        logger.info("quarantine log rotated", metadata: ["path": "\(path)", "keep": "\(keep)"])
    }

    /// Group commit, with the WAL's.
    public func sync() throws {
        try state.withLock { s in
            guard s.dirty else { return }
            try PosixIO.fdatasync(s.fd)
            s.dirty = false
        }
    }
}

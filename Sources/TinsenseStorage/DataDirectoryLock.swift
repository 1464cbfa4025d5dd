#if canImport(Glibc)
import Glibc
#endif
import TinsenseSystem

/// The one-writer rule of a data directory: an exclusive `flock` on `<data>/LOCK`, held for
/// as long as this value lives, with the holder's PID written into the file for the message
/// a second writer prints.
///
/// Two writers would pick the same segment numbers and rename over each other's sealed
/// segments (whose WAL may already be gone). `flock` is released by the kernel when the
/// holder dies, however it dies, so a `LOCK` file left by a crash never blocks a restart; the
/// PID in it is only for the message. Readers (`export`, `inspect`, `verify`) take no lock:
/// they read only sealed segments, which appear by rename, never half-written.
public final class DataDirectoryLock: Sendable {
    /// `<data>/LOCK`.
    public let path: String
    private let fd: Int32

    /// Takes the lock without waiting.
    /// - Throws: `DataDirectoryLockError.held` when another process holds it,
    ///   `.io` when the file cannot be opened or written.
    public init(directory: String) throws(DataDirectoryLockError) {
        path = directory + "/LOCK"
        do {
            try PosixIO.makeDirectories(directory)
            fd = try PosixIO.open(path, flags: O_RDWR | O_CREAT)
        } catch {
            throw .io(path: path, detail: "\(error)")
        }
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let e = errno
            if e == EINTR { continue }
            let holder = Self.holderPID(fd)
            PosixIO.close(fd)
            if e == EWOULDBLOCK { throw .held(path: path, pid: holder) }
            throw .io(path: path, detail: "flock: \(String(cString: strerror(e)))")
        }
        let text = Array("\(getpid())\n".utf8)
        do {
            try PosixIO.truncate(fd, to: 0)
            try PosixIO.writeAll(fd, text, at: 0)
        } catch {
            PosixIO.close(fd)
            throw .io(path: path, detail: "\(error)")
        }
    }

    deinit { PosixIO.close(fd) }

    /// The PID written by the current holder, if the file holds one.
    static func holderPID(_ fd: Int32) -> Int32? {
        guard let bytes = try? PosixIO.read(fd, count: 32, at: 0) else { return nil }
        let digits = bytes.prefix { $0 >= 0x30 && $0 <= 0x39 }
        return Int32(String(decoding: digits, as: UTF8.self))
    }
}

/// Why a data directory could not be locked for writing.
public enum DataDirectoryLockError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Another live process writes this directory.
    case held(path: String, pid: Int32?)
    case io(path: String, detail: String)

    public var description: String {
        switch self {
        case .held(let path, let pid):
            "\(path) is held by another tinsense writer (pid \(pid.map(String.init) ?? "unknown")); one process writes a data directory at a time"
        case .io(let path, let detail):
            "cannot take the lock \(path): \(detail)"
        }
    }
}

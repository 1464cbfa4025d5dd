#if canImport(Glibc)
import Glibc
#endif

/// Thin, throwing wrappers over the POSIX calls the durable paths need (the WAL, segments,
/// checkpoints, the quarantine and alert logs).
///
/// Written by hand because the guarantees (full writes at an offset, fsync of a directory,
/// EINTR retries, errno in the error) are the point, and Foundation's file APIs don't expose
/// them; swift-system's `FileDescriptor` lacks directory fsync and `ftruncate` on Linux.
public enum PosixIO {
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var operation: String
        public var path: String
        public var errno: Int32

        public var description: String {
            "\(operation) \(path): \(String(cString: strerror(errno))) (errno \(errno))"
        }

        /// True when the disk (or quota) is full: the daemon pauses instead of failing.
        public var isNoSpace: Bool { errno == ENOSPC || errno == EDQUOT }
    }

    /// The mode of every file the daemon creates (WAL, segments, checkpoint, ledger, quarantine,
    /// alert log, LOCK): owner read-write, group read (an operators' group may read the data),
    /// nothing for others. A umask can only take bits away, so whatever it is, no file the
    /// daemon creates is world-readable. Callers pass no mode of their own.
    public static let fileMode: mode_t = 0o640

    /// The mode of every directory the daemon creates (`makeDirectories`), for the same reason.
    public static let directoryMode: mode_t = 0o750

    public static func open(_ path: String, flags: Int32, mode: mode_t = fileMode) throws -> Int32 {
        while true {
            let fd = Glibc.open(path, flags | O_CLOEXEC, mode)
            if fd >= 0 { return fd }
            if errno == EINTR { continue }
            throw Failure(operation: "open", path: path, errno: errno)
        }
    }

    public static func writeAll(_ fd: Int32, _ bytes: [UInt8], at offset: UInt64) throws {
        try bytes.withUnsafeBytes { try writeAll(fd, $0, at: offset) }
    }

    public static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, at offset: UInt64) throws {
        var done = 0
        while done < bytes.count {
            let n = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(offset) + off_t(done))
            if n < 0 {
                if errno == EINTR { continue }
                throw Failure(operation: "write", path: "fd \(fd)", errno: errno)
            }
            if n == 0 { throw Failure(operation: "write", path: "fd \(fd)", errno: EIO) }
            done += n
        }
    }

    /// Writes all of `bytes` at the descriptor's current offset (for `O_APPEND` files, where
    /// each `write(2)` lands whole at the end), retrying short writes and EINTR.
    public static func appendAll(_ fd: Int32, _ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { buffer in
            var done = 0
            while done < buffer.count {
                let n = Glibc.write(fd, buffer.baseAddress! + done, buffer.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw Failure(operation: "write", path: "fd \(fd)", errno: errno)
                }
                if n == 0 { throw Failure(operation: "write", path: "fd \(fd)", errno: EIO) }
                done += n
            }
        }
    }

    public static func read(_ fd: Int32, count: Int, at offset: UInt64) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        var done = 0
        try out.withUnsafeMutableBytes { p in
            while done < count {
                let n = pread(fd, p.baseAddress! + done, count - done, off_t(offset) + off_t(done))
                if n < 0 {
                    if errno == EINTR { continue }
                    throw Failure(operation: "read", path: "fd \(fd)", errno: errno)
                }
                if n == 0 { break }
                done += n
            }
        }
        out.removeLast(count - done)
        return out
    }

    public static func fileSize(_ fd: Int32) throws -> UInt64 {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw Failure(operation: "fstat", path: "fd \(fd)", errno: errno) }
        return UInt64(st.st_size)
    }

    public static func truncate(_ fd: Int32, to size: UInt64) throws {
        while ftruncate(fd, off_t(size)) != 0 {
            if errno == EINTR { continue }
            throw Failure(operation: "ftruncate", path: "fd \(fd)", errno: errno)
        }
    }

    public static func fsync(_ fd: Int32) throws {
        while Glibc.fsync(fd) != 0 {
            if errno == EINTR { continue }
            throw Failure(operation: "fsync", path: "fd \(fd)", errno: errno)
        }
    }

    public static func fdatasync(_ fd: Int32) throws {
        while Glibc.fdatasync(fd) != 0 {
            if errno == EINTR { continue }
            throw Failure(operation: "fdatasync", path: "fd \(fd)", errno: errno)
        }
    }

    /// Makes a create, rename or unlink inside `path` durable.
    public static func fsyncDirectory(_ path: String) throws {
        let fd = try open(path, flags: O_RDONLY | O_DIRECTORY)
        defer { _ = Glibc.close(fd) }
        try fsync(fd)
    }

    /// Closes the descriptor; the result is ignored, as every caller here is done with it.
    public static func close(_ fd: Int32) {
        _ = Glibc.close(fd)
    }

    public static func unlink(_ path: String) throws {
        if Glibc.unlink(path) != 0, errno != ENOENT {
            throw Failure(operation: "unlink", path: path, errno: errno)
        }
    }

    public static func rename(_ from: String, _ to: String) throws {
        if Glibc.rename(from, to) != 0 {
            throw Failure(operation: "rename", path: "\(from) -> \(to)", errno: errno)
        }
    }

    /// Replaces `directory/name` with `bytes` so that a crash leaves the old file or the new
    /// one, never a mix: written to `name + temporarySuffix`, fsynced, renamed, and the
    /// directory fsynced. A failed write removes the temporary file.
    public static func replaceAtomically(_ name: String, in directory: String, with bytes: [UInt8], temporarySuffix: String = ".tmp") throws {
        let path = directory + "/" + name
        let tmp = path + temporarySuffix
        let fd = try open(tmp, flags: O_WRONLY | O_CREAT | O_TRUNC)
        do {
            try writeAll(fd, bytes, at: 0)
            try fsync(fd)
        } catch {
            _ = Glibc.close(fd)
            try? unlink(tmp)
            throw error
        }
        _ = Glibc.close(fd)
        try rename(tmp, path)
        try fsyncDirectory(directory)
    }

    /// `mkdir -p` with `directoryMode`.
    public static func makeDirectories(_ path: String) throws {
        var prefix = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            prefix += "/" + part
            if mkdir(prefix, directoryMode) != 0, errno != EEXIST {
                throw Failure(operation: "mkdir", path: prefix, errno: errno)
            }
        }
    }

    /// Names in a directory, without `.` and `..`.
    public static func listDirectory(_ path: String) throws -> [String] {
        guard let dir = opendir(path) else { throw Failure(operation: "opendir", path: path, errno: errno) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}

#if canImport(Glibc)
import Glibc
#endif

/// Reads a secret (a password) from a file, refusing one that others may read.
///
/// The file is opened first and its mode taken from the open descriptor, so the mode checked
/// is the mode of the bytes read, not of a file swapped in between. One trailing newline (or
/// CRLF) is dropped, since `echo secret > file` writes one; nothing else is trimmed.
public enum SecretFile {
    public struct Problem: Error, Sendable, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { "\(path) \(reason)" }
    }

    public static func read(_ path: String) throws(Problem) -> String {
        let fd: Int32
        do {
            fd = try PosixIO.open(path, flags: O_RDONLY)
        } catch {
            let code = (error as? PosixIO.Failure)?.errno ?? EIO
            throw Problem(path: path, reason: "cannot be read: \(String(cString: strerror(code)))")
        }
        defer { PosixIO.close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw Problem(path: path, reason: "cannot be read: \(String(cString: strerror(errno)))") }
        if let problem = FilePermissions.secretProblem(mode: st.st_mode) { throw Problem(path: path, reason: problem) }
        guard st.st_size <= 64 * 1024, var bytes = try? PosixIO.read(fd, count: Int(st.st_size), at: 0) else {
            throw Problem(path: path, reason: "cannot be read (larger than 64 KiB, or a read error)")
        }
        if bytes.last == UInt8(ascii: "\n") { bytes.removeLast() }
        if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
        guard !bytes.isEmpty else { throw Problem(path: path, reason: "is empty") }
        return String(decoding: bytes, as: UTF8.self)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads an alert log as it grows and across rotation, like `tail -F`: whole lines only.
///
/// When the path's inode changes (the daemon rotated, or logrotate moved it), the old file
/// is drained to its end first, then any rotated files written since (`path.N` … `path.1`),
/// then the new one from its start, so no line written around a rotation is missed. A file
/// that shrinks (copytruncate) is re-read from 0.
package final class AlertLogFollower {
    package let path: String
    private var fd: Int32 = -1
    private var inode: (dev: UInt64, ino: UInt64) = (0, 0)
    private var offset = 0
    private var partial: [UInt8] = []
    private var buffer = [UInt8](repeating: 0, count: 1 << 16)

    /// - Parameter fromEnd: start at the current end of the file (`tail -n 0 -F`) instead of
    ///   its beginning.
    package init(path: String, fromEnd: Bool = false) {
        self.path = path
        if openCurrent(), fromEnd {
            offset = Int(lseek(fd, 0, SEEK_END))
        }
    }

    deinit { if fd >= 0 { close(fd) } }

    /// The complete lines that appeared since the last call (possibly none).
    package func readAvailableLines() -> [String] {
        var lines: [String] = []
        if fd < 0 { _ = openCurrent() }
        guard fd >= 0 else { return lines }
        drain(into: &lines)
        var st = stat()
        if stat(path, &st) == 0 {
            let current = (UInt64(st.st_dev), UInt64(st.st_ino))
            if current != inode {
                drain(into: &lines)           // the old file is final now
                close(fd)
                fd = -1
                partial.removeAll()
                readSkippedRotations(after: inode, into: &lines)
                if openCurrent() { drain(into: &lines) }
            } else if Int(st.st_size) < offset {
                offset = 0                    // truncated in place
                partial.removeAll()
                _ = lseek(fd, 0, SEEK_SET)
                drain(into: &lines)
            }
        }
        return lines
    }

    /// If the log rotated more than once since the last poll, the file we were reading is now
    /// `path.k` and `path.(k-1)` … `path.1` are newer files we never saw: read them whole, oldest
    /// first. (Plain `tail -F` loses those lines.)
    private func readSkippedRotations(after old: (dev: UInt64, ino: UInt64), into lines: inout [String]) {
        var k = 1
        var st = stat()
        while k <= 10_000, stat("\(path).\(k)", &st) == 0 {
            if (UInt64(st.st_dev), UInt64(st.st_ino)) == old { break }
            k += 1
        }
        guard k > 1, k <= 10_000, stat("\(path).\(k)", &st) == 0 else { return }
        for j in stride(from: k - 1, through: 1, by: -1) {
            fd = open("\(path).\(j)", O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { continue }
            drain(into: &lines)
            partial.removeAll()
            close(fd)
            fd = -1
        }
    }

    private func openCurrent() -> Bool {
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        var st = stat()
        fstat(fd, &st)
        inode = (UInt64(st.st_dev), UInt64(st.st_ino))
        offset = 0
        return true
    }

    private func drain(into lines: inout [String]) {
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return }
            offset += n
            var start = 0
            for i in 0..<n where buffer[i] == 0x0A {
                partial.append(contentsOf: buffer[start..<i])
                lines.append(String(decoding: partial, as: UTF8.self))
                partial.removeAll(keepingCapacity: true)
                start = i + 1
            }
            partial.append(contentsOf: buffer[start..<n])
        }
    }
}

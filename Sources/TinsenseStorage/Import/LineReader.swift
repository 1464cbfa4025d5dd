#if canImport(Glibc)
import Glibc
#endif
import TinsenseSystem

/// Reads a file line by line with a fixed buffer (imports stream files of any size in
/// constant memory). Lines end at `\n`; a trailing `\r` is dropped.
final class LineReader {
    private let fd: Int32
    let path: String
    private var buffer: [UInt8] = []
    private var start = 0
    private var eof = false
    private var fileOffset: UInt64 = 0
    /// 1-based number of the line last returned.
    private(set) var lineNumber = 0

    init(path: String) throws {
        self.path = path
        fd = try PosixIO.open(path, flags: O_RDONLY)
    }

    deinit { _ = Glibc.close(fd) }

    /// The next line's bytes without the terminator, or nil at the end of the file.
    func next() throws -> ArraySlice<UInt8>? {
        while true {
            if let nl = buffer[start...].firstIndex(of: 0x0A) {
                var end = nl
                if end > start, buffer[end - 1] == 0x0D { end -= 1 }
                let line = buffer[start..<end]
                start = nl + 1
                lineNumber += 1
                return line
            }
            if eof {
                guard start < buffer.count else { return nil }
                var end = buffer.count
                if buffer[end - 1] == 0x0D { end -= 1 }
                let line = buffer[start..<end]
                start = buffer.count
                lineNumber += 1
                return line
            }
            buffer.removeSubrange(0..<start)
            start = 0
            let chunk = try PosixIO.read(fd, count: 1 << 20, at: fileOffset)
            if chunk.isEmpty { eof = true } else {
                fileOffset += UInt64(chunk.count)
                buffer.append(contentsOf: chunk)
            }
        }
    }
}

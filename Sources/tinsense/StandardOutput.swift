#if canImport(Glibc)
import Glibc
#endif

/// Buffered stdout through write(2): exports can be gigabytes, and `print` flushes per line
/// when stdout is a pipe.
struct StandardOutput {
    private var buffer: [UInt8] = []
    private var failed = false

    init() { buffer.reserveCapacity(1 << 16) }

    mutating func write(_ s: String) {
        buffer.append(contentsOf: s.utf8)
        if buffer.count >= 1 << 16 { _ = flush() }
    }

    /// Writes what is buffered; false once any write failed (e.g. EPIPE).
    mutating func flush() -> Bool {
        guard !failed else { return false }
        var done = 0
        buffer.withUnsafeBytes { p in
            while done < p.count {
                let n = Glibc.write(1, p.baseAddress! + done, p.count - done)
                if n < 0, errno == EINTR { continue }
                if n <= 0 { failed = true; return }
                done += n
            }
        }
        buffer.removeAll(keepingCapacity: true)
        return !failed
    }
}

#if canImport(Glibc)
import Glibc
#endif

/// Writes a line to standard error (messages for people, never for pipes).
func printError(_ line: String) {
    var text = Array((line + "\n").utf8)
    text.withUnsafeMutableBytes { p in
        var done = 0
        while done < p.count {
            let n = write(2, p.baseAddress! + done, p.count - done)
            if n <= 0 { return }
            done += n
        }
    }
}

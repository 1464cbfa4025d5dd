#if canImport(Glibc)
import Glibc
#endif
import TinsenseCore

/// Wall-clock time for the storage commands (the library reads no clock).
enum CommandClock {
    static func now() -> Timestamp {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Timestamp(millisecondsSinceEpoch: Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000)
    }
}

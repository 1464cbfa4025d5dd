#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TinsenseCore

/// The one wall-clock read (CLOCK_REALTIME, millisecond resolution). Pure stages never read a
/// clock; the daemon and the CLI commands call this and pass the time in as an argument.
public enum WallClock {
    @Sendable public static func now() -> Timestamp {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Timestamp(millisecondsSinceEpoch: Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// CLOCK_MONOTONIC in microseconds: the clock systemd's `MONOTONIC_USEC=` is read against, and
/// the one the watchdog measures stalls with (the wall clock may jump).
public enum MonotonicClock {
    @Sendable public static func microseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000 + UInt64(ts.tv_nsec) / 1000
    }
}

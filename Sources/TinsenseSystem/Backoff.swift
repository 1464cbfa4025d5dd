#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Bounded exponential backoff for an operation that must eventually succeed (a WAL append,
/// a seal on a full disk): the caller retries instead of dropping data or crashing.
///
/// A value type the retry loop owns, so each loop keeps its own delay and attempt count.
/// The caller decides what a failure means and logs it; `isReportDue` says when, so that a
/// long outage writes a line about every 40 s instead of one per attempt.
public struct Backoff: Sendable {
    /// First wait, in microseconds.
    public let initialDelay: UInt32
    /// Longest wait, in microseconds; doubling stops here.
    public let maximumDelay: UInt32
    /// Report the first failed attempt and then every `reportEvery`-th.
    public let reportEvery: Int

    /// Attempts that failed (or were held back) so far.
    public private(set) var attempts = 0
    private var delay: UInt32

    /// 50 ms doubling to 2 s, a report every 20 attempts: what ingestion and storage use.
    public init(initialDelay: UInt32 = 50_000, maximumDelay: UInt32 = 2_000_000, reportEvery: Int = 20) {
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
        self.reportEvery = max(1, reportEvery)
        delay = initialDelay
    }

    /// True when the failure about to be waited for should be logged.
    public var isReportDue: Bool { attempts % reportEvery == 0 }

    /// Sleeps the current delay, counts the attempt and doubles the delay up to the cap.
    public mutating func wait() {
        attempts += 1
        usleep(delay)
        delay = min(delay * 2, maximumDelay)
    }
}

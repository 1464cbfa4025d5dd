#if canImport(Glibc)
import Glibc
#endif
import TinsenseCore

/// Keeps the recorded relative timing: message i is due at `start + (t_i − t_0) / speed` on
/// the monotonic clock, an absolute deadline, so time spent publishing or a late wake-up is
/// never added to the next gap (sleeping each gap in turn would accumulate that drift).
package struct ReplayPacer {
    let speed: Double
    private var origin: (recorded: Int64, monotonicNs: Int64)?

    package init(speed: Double) {
        self.speed = speed
    }

    /// CLOCK_MONOTONIC in nanoseconds.
    package static func monotonicNs() -> Int64 {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Int64(t.tv_sec) * 1_000_000_000 + Int64(t.tv_nsec)
    }

    /// The monotonic deadline of a message received at `recorded`; the first call fixes the origin.
    package mutating func deadline(for recorded: Timestamp) -> Int64 {
        let ms = recorded.millisecondsSinceEpoch
        guard let o = origin else {
            let now = ReplayPacer.monotonicNs()
            origin = (ms, now)
            return now
        }
        let offsetNs = Double(ms &- o.recorded) * 1_000_000 / speed
        return o.monotonicNs + Int64(offsetNs.clamped(to: -1e17...1e17))
    }

    /// How long before a deadline the pacer stops sleeping and spins on the clock: a
    /// `clock_nanosleep` returns 50–100 µs late on an idle machine and far later under load,
    /// while a spin on CLOCK_MONOTONIC (vDSO, ~20 ns a read) ends within a microsecond or two.
    /// 0.5 ms bounds what the spin costs: at most one core for 0.5 ms per message.
    package static let spinNs: Int64 = 500_000

    /// Waits until `deadline` (absolute, monotonic ns): sleeps with `clock_nanosleep`
    /// (TIMER_ABSTIME) to `spinNs` before it, waking at least every 100 ms to ask `shouldStop`,
    /// then spins to the deadline; false when stopped before it.
    package static func sleep(until deadline: Int64, shouldStop: () -> Bool) -> Bool {
        while true {
            if shouldStop() { return false }
            let now = monotonicNs()
            if now >= deadline { return true }
            if deadline - now <= spinNs {
                while monotonicNs() < deadline {}
                return true
            }
            let wake = min(deadline - spinNs, now + 100_000_000)
            var t = timespec(tv_sec: Int(wake / 1_000_000_000), tv_nsec: Int(wake % 1_000_000_000))
            _ = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, nil)
        }
    }
}

extension Double {
    fileprivate func clamped(to r: ClosedRange<Double>) -> Double { Swift.min(Swift.max(self, r.lowerBound), r.upperBound) }
}

import Synchronization
import TinsenseSystem

/// What the watchdog judges the daemon by: heartbeats and figures the working threads publish
/// with relaxed atomics (no lock on the hot path), read by `HealthWatchdog` on its own thread.
///
/// "Healthy" (docs/SYSTEMD.md) means, over the last watchdog half-interval: the pipeline thread
/// went round its loop at least once (it does every ≤ 100 ms when the queue is empty, after
/// every batch otherwise), the network thread has not been inside one message's hand-off for
/// longer than the half-interval, the sink is not waiting for the WAL or for storage, and the
/// group commit finished a pass. A pipeline blocked in a disk retry or a wedged store stops
/// its loop; a full queue that does not drain holds the network thread in its hand-off; a disk
/// that refuses writes sets the sink's stall flag — each of them stops the pings.
final class HealthSignals: Sendable {
    /// Pipeline loop turns (and replayed messages at start).
    private let pipelineBeats = Atomic<Int>(0)
    /// CLOCK_MONOTONIC µs at which the network thread entered the current hand-off; 0 outside one.
    private let handOffSince = Atomic<UInt64>(0)
    /// CLOCK_MONOTONIC µs of the last finished group commit; 0 before the commit loop starts.
    private let lastCommit = Atomic<UInt64>(0)
    private let messages = Atomic<Int>(0)
    private let stored = Atomic<Int>(0)
    private let quarantined = Atomic<Int>(0)

    /// The pipeline thread went round its loop; the figures are its counters so far.
    func pipelineTurned(messages m: Int, stored s: Int, quarantined q: Int) {
        pipelineBeats.wrappingAdd(1, ordering: .relaxed)
        messages.store(m, ordering: .relaxed)
        stored.store(s, ordering: .relaxed)
        quarantined.store(q, ordering: .relaxed)
    }

    /// A replayed message was processed (start-up recovery is progress too).
    func replayed() { pipelineBeats.wrappingAdd(1, ordering: .relaxed) }

    var pipelineBeat: Int { pipelineBeats.load(ordering: .relaxed) }

    /// The network thread starts handing a message to the WAL and the queue.
    func handOffBegins() { handOffSince.store(max(1, MonotonicClock.microseconds()), ordering: .relaxed) }

    /// The message is in the WAL and the queue (or the hand-off gave up at stop).
    func handOffEnds() { handOffSince.store(0, ordering: .relaxed) }

    /// How long the current hand-off has been going on, in µs (0 when there is none).
    func handOffAge(now: UInt64) -> UInt64 {
        let since = handOffSince.load(ordering: .relaxed)
        return since == 0 || since > now ? 0 : now - since
    }

    func committed() { lastCommit.store(MonotonicClock.microseconds(), ordering: .relaxed) }

    /// µs since the last group commit finished, nil before the commit loop started.
    func commitAge(now: UInt64) -> UInt64? {
        let last = lastCommit.load(ordering: .relaxed)
        return last == 0 ? nil : (last > now ? 0 : now - last)
    }

    /// The pipeline's figures as last published: (messages, stored, quarantined).
    var figures: (messages: Int, stored: Int, quarantined: Int) {
        (messages.load(ordering: .relaxed), stored.load(ordering: .relaxed), quarantined.load(ordering: .relaxed))
    }
}

import Foundation
import Logging
import TinsenseMQTT
import TinsenseSystem

/// Pings systemd's watchdog (`WATCHDOG=1`) at half of `WATCHDOG_USEC` while `HealthSignals`
/// say the daemon is healthy, and sends `STATUS=` (broker state, rates, queue depth) every few
/// seconds. A plain thread, not a task: a cooperative pool blocked in an fsync must not be
/// able to keep the pings going, nor to stop the status line.
///
/// Unhealthy → no ping (and one error line saying why); systemd restarts the daemon once
/// `WatchdogSec` passes without one. Healthy again in time → pings resume, nothing restarts.
final class HealthWatchdog: @unchecked Sendable {
    // @unchecked: `stopped` is guarded by `condition`; `attached` by its mutex.
    let notifier: SystemdNotifier
    let signals: HealthSignals
    let logger: Logger
    /// Half of WATCHDOG_USEC, µs; nil when systemd asked for no watchdog.
    let pingInterval: UInt64?
    /// How long a group commit may take beyond its interval before it counts as stuck, µs.
    let commitAllowance: UInt64
    static let statusInterval: UInt64 = 5_000_000
    private let condition = NSCondition()
    private var stopped = false
    private var finished = false

    private struct Attached: @unchecked Sendable {
        // @unchecked: both are Sendable-by-design classes (atomics inside).
        var sink: IngestSink?
        var subscriber: MQTTSubscriber?
        var queue: MessageQueue?
        var broker = ""
    }
    private let attached = Guarded(Attached())

    init(notifier: SystemdNotifier, signals: HealthSignals, fsyncIntervalMs: Int, logger: Logger) {
        self.notifier = notifier
        self.signals = signals
        self.logger = logger
        pingInterval = notifier.watchdogMicroseconds.map { max($0 / 2, 1) }
        commitAllowance = UInt64(fsyncIntervalMs) * 1000
    }

    /// Starts the thread (nothing to do outside systemd).
    func start() {
        guard notifier.isActive else { return }
        let thread = Thread { [self] in
            loop()
            condition.lock()
            finished = true
            condition.broadcast()
            condition.unlock()
        }
        thread.name = "tinsense-watchdog"
        thread.start()
    }

    /// The network side, once it exists (after WAL recovery).
    func attach(sink: IngestSink, queue: MessageQueue, subscriber: MQTTSubscriber, broker: String) {
        attached.withLock {
            $0.sink = sink
            $0.queue = queue
            $0.subscriber = subscriber
            $0.broker = broker
        }
    }

    /// No more pings or status lines (at stop); returns once the thread has ended.
    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        while notifier.isActive && !finished { condition.wait() }
        condition.unlock()
    }

    /// A verdict: nil when healthy, else why not.
    func problem(beatAdvanced: Bool, now: UInt64) -> String? {
        let limit = pingInterval ?? HealthWatchdog.statusInterval
        if !beatAdvanced { return "the pipeline thread made no progress (blocked on the disk or a wedged store)" }
        let (sink, _, _) = attached.withLock { ($0.sink, $0.subscriber, $0.broker) }
        let handOffLimit = HealthWatchdog.handOffLimit(check: limit, hold: sink?.holdLimit ?? .infinity)
        if signals.handOffAge(now: now) > handOffLimit { return "the network thread has been handing one message over for more than \(HealthWatchdog.seconds(handOffLimit)) (queue full and not draining, or the WAL not writable)" }
        if let sink, sink.stalled { return "the WAL cannot be written; the network thread is waiting" }
        if let sink, sink.paused { return "storage cannot seal; ingestion is paused" }
        if let age = signals.commitAge(now: now), age > commitAllowance + limit { return "the group commit (fsync) has not finished for more than \(HealthWatchdog.seconds(commitAllowance + limit))" }
        return nil
    }

    /// How long one hand-off may last before it counts as stuck, µs: the check interval plus the
    /// time `IngestSink` may legitimately hold a message for room in a full queue (keepalive / 2,
    /// then it goes into the reserve). Without the hold, a pipeline that is merely behind would
    /// fail a check with the default keepalive 30 s and `WatchdogSec=30s` (hold 15 s = the
    /// half-interval), and two missed checks in a row are a restart.
    static func handOffLimit(check: UInt64, hold: Double) -> UInt64 {
        guard hold.isFinite, hold > 0 else { return check }
        return check + UInt64(min(hold, 86_400) * 1e6)
    }

    /// `µs` as "1.5 s" (the why of a stall is logged once, so it names the limit, not a count).
    static func seconds(_ µs: UInt64) -> String { String(format: "%.1f s", Double(µs) / 1e6) }

    /// The broker part of the status line.
    func brokerState() -> String {
        let (subscriber, broker) = attached.withLock { ($0.subscriber, $0.broker) }
        guard let subscriber else { return "recovering the WAL" }
        if subscriber.isConnected { return "connected to \(broker)" }
        return subscriber.connects == 0 ? "connecting to \(broker)" : "disconnected from \(broker), reconnecting"
    }

    private func loop() {
        var lastBeat = signals.pipelineBeat
        let start = MonotonicClock.microseconds()
        var nextPing = start + (pingInterval ?? UInt64.max / 2)
        var nextStatus = start + HealthWatchdog.statusInterval
        var lastFigures = signals.figures
        var lastFiguresAt = start
        var lastProblem: String?
        condition.lock()
        defer { condition.unlock() }
        while !stopped {
            let now = MonotonicClock.microseconds()
            let wake = min(nextPing, nextStatus)
            if now < wake {
                _ = condition.wait(until: Date(timeIntervalSinceNow: Double(wake - now) / 1e6))
                continue
            }
            condition.unlock()
            if let interval = pingInterval, now >= nextPing {
                let beat = signals.pipelineBeat
                let problem = problem(beatAdvanced: beat != lastBeat, now: now)
                lastBeat = beat
                if problem == nil { notifier.notify("WATCHDOG=1") }
                if problem != lastProblem {
                    if let problem {
                        logger.error("watchdog: unhealthy, not pinging systemd (it restarts the daemon after WatchdogSec)", metadata: ["why": "\(problem)"])
                        notifier.notify("STATUS=stalled: \(problem)")
                    } else {
                        logger.notice("watchdog: healthy again, pinging systemd")
                    }
                    lastProblem = problem
                }
                nextPing = max(nextPing + interval, now + interval / 2)
            }
            if now >= nextStatus {
                let f = signals.figures
                let seconds = Double(now - lastFiguresAt) / 1e6
                let rate = { (a: Int, b: Int) in String(format: "%.1f", Double(max(0, a - b)) / max(seconds, 0.001)) }
                var text = "\(brokerState()); \(rate(f.messages, lastFigures.messages)) msg/s, \(rate(f.stored, lastFigures.stored)) stored/s, "
                    + "\(rate(f.quarantined, lastFigures.quarantined)) quarantined/s; queue \(attached.withLock { $0.queue }?.depth ?? 0)"
                if let lastProblem { text = "stalled: \(lastProblem); " + text }
                notifier.notify("STATUS=" + text)
                lastFigures = f
                lastFiguresAt = now
                nextStatus = now + HealthWatchdog.statusInterval
            }
            condition.lock()
        }
    }
}

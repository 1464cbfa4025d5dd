import Logging
import TinsenseAlerts
import TinsenseConfig
import TinsenseCore

/// The `[forward]` output as the daemon holds it: the spool in `<data>/forward/`, the tap
/// the pipeline feeds, and the forwarder thread (docs/FORWARDING.md).
package final class ForwardOutput: Sendable {
    package let spool: Spool
    private let forwarder: Forwarder
    private let metrics: ForwardMetrics

    /// Opens the spool and prepares the forwarder; `alert` writes to the alert log.
    package init(settings: Config.Forward, dataDirectory: String, logger: Logger) throws {
        spool = try Spool(directory: dataDirectory + "/forward", maxBytes: settings.spoolMaxBytes)
        metrics = ForwardMetrics()
        forwarder = try Forwarder(spool: spool, settings: settings, metrics: metrics, logger: logger)
    }

    /// The pipeline thread's entry (one per pipeline); `alert` receives the spool alerts.
    package func makeTap(logger: Logger, alert: @escaping (AlertTransition) -> Void) -> ForwardTap {
        ForwardTap(spool: spool, metrics: metrics, logger: logger, alert: alert)
    }

    package func start() { forwarder.start() }

    /// True while stored readings wait in the spool for VictoriaMetrics' acknowledgement.
    package var spoolHasPending: Bool { forwarder.hasPending }

    /// Ends the forwarder thread within `seconds`; what it has not sent stays in the spool.
    package func stop(waitingAtMost seconds: Double = 2) { forwarder.stop(waitingAtMost: seconds) }

    /// fdatasync of the live spool file (the group commit).
    package func sync() { spool.sync() }

    /// Brings the spool gauges up to date (at scrape time): bytes, full, and the lag, the
    /// receive time of the newest reading spooled minus that of the newest acknowledged.
    package func refreshGauges() {
        let usage = spool.usage
        metrics.spoolBytes.record(usage.bytes)
        metrics.spoolFull.record(usage.refusing ? 1 : 0)
        let progress = forwarder.progress.withLock { $0 }
        let snapshot = spool.snapshot()
        var lag = 0.0
        if forwarder.hasPending, let newest = snapshot.newestReceive {
            // Nothing acknowledged yet: the lag runs from the first reading spooled.
            let acked = progress.newestAcknowledged ?? snapshot.firstReceive ?? newest
            lag = Double(max(0, acked.milliseconds(to: newest))) / 1000
        }
        metrics.lag.record(lag)
    }
}

import Logging
import TinsenseAlerts
import TinsenseCore
import TinsenseSystem

/// What the pipeline thread calls for every reading the store accepted: one spool append.
///
/// When the spool refuses readings (at its bound, or its disk failing) ingestion goes on and
/// the readings stay in local storage: the first refusal writes a `firing` line to the alert
/// log (rule `forward_spool_full`) and an error to the log; the first reading spooled again
/// writes `resolved` with how many readings, over which source times, were not forwarded,
/// and the `tinsense export` command that back-fills them (docs/FORWARDING.md).
package final class ForwardTap {
    let spool: Spool
    let metrics: ForwardMetrics
    let logger: Logger
    let alert: (AlertTransition) -> Void

    /// Readings not spooled since the first refusal of the current episode.
    private struct Episode {
        var start: Timestamp
        var cause: String
        var count = 0
        var firstSource: Timestamp
        var lastSource: Timestamp
    }

    private var episode: Episode?

    package static let alertSensor = "tinsense/forward"
    package static let alertRule = "forward_spool_full"

    init(spool: Spool, metrics: ForwardMetrics, logger: Logger, alert: @escaping (AlertTransition) -> Void) {
        self.spool = spool
        self.metrics = metrics
        self.logger = logger
        self.alert = alert
    }

    /// Spools `reading`; never waits for the network.
    package func stored(_ reading: Reading) {
        switch spool.append(reading) {
        case .spooled:
            if let e = episode { resolve(e) }
        case .full:
            refused(reading, cause: "the spool reached its bound of \(spool.maxBytes) bytes (forward.spool_max_mb)")
        case .failed(let error):
            refused(reading, cause: "the spool cannot be written: \(error)")
        }
    }

    private func refused(_ r: Reading, cause: String) {
        metrics.notSpooled.increment()
        if var e = episode {
            e.count += 1
            e.firstSource = min(e.firstSource, r.sourceTime)
            e.lastSource = max(e.lastSource, r.sourceTime)
            episode = e
            return
        }
        let now = WallClock.now()
        episode = Episode(start: now, cause: cause, count: 1, firstSource: r.sourceTime, lastSource: r.sourceTime)
        let message = "readings are no longer forwarded to VictoriaMetrics: \(cause); ingestion and local storage go on, back-fill once it drains (docs/FORWARDING.md)"
        logger.error("forward spool refuses readings", metadata: ["cause": "\(cause)", "spool": "\(spool.directory)"])
        alert(transition(.firing, time: now, start: now, message: message))
    }

    private func resolve(_ e: Episode) {
        episode = nil
        let now = WallClock.now()
        let to = e.lastSource.adding(milliseconds: 1)
        let backfill = "tinsense export --data <data_dir> --from \(e.firstSource) --to \(to) --format victoriametrics | curl --data-binary @- '<url>/write?precision=ms'"
        let message = "forward spool takes readings again; \(e.count) readings with source times \(e.firstSource) … \(e.lastSource) were not forwarded: \(backfill)"
        logger.error("forward spool takes readings again; back-fill the gap", metadata: [
            "not_spooled": "\(e.count)", "from": "\(e.firstSource)", "to": "\(to)", "backfill": "\(backfill)",
        ])
        alert(transition(.resolved, time: now, start: e.start, message: message))
    }

    private func transition(_ kind: AlertTransition.Kind, time: Timestamp, start: Timestamp, message: String) -> AlertTransition {
        let usage = spool.usage
        return AlertTransition(
            kind: kind, time: time, sensor: ForwardTap.alertSensor, rule: ForwardTap.alertRule, detector: "forward",
            severity: .critical, value: Double(usage.bytes), score: nil, threshold: Double(spool.maxBytes),
            alertID: AlertTransition.makeID(sensor: ForwardTap.alertSensor, rule: ForwardTap.alertRule, start: start),
            startsAt: start, message: message
        )
    }
}

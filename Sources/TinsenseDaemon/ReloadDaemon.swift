import Logging
import TinsenseAlerts
import TinsenseConfig
import TinsenseMQTT
import TinsenseSystem

extension Daemon {
    /// One SIGHUP: announce the reload, reopen the alert log, re-read the config and hand its
    /// reloadable parts to the pipeline thread, then announce readiness again. Returns the
    /// config now running (the old one when the new file is invalid).
    func reload(running: Config, slot: ReloadSlot, alertLog: AlertLog, watchdog: HealthWatchdog) async -> Config {
        notifier.notify("RELOADING=1\nMONOTONIC_USEC=\(MonotonicClock.microseconds())\nSTATUS=reloading")
        defer { notifier.notify("READY=1\nSTATUS=ready; \(watchdog.brokerState())") }
        do {
            try alertLog.reopen()
            logger.notice("SIGHUP: alert log reopened", metadata: ["path": "\(alertLog.path)"])
        } catch {
            logger.error("SIGHUP: cannot reopen the alert log", metadata: ["error": "\(error)"])
        }
        guard let source = reloadSource else { return running }
        let loaded: Config
        switch source.load() {
        case .failure(let error):
            for issue in error.issues {
                logger.error("SIGHUP: invalid config, the running one stays in force: \(issue)")
            }
            return running
        case .success(let c):
            loaded = c
        }
        let plan = ReloadPlan(running: running, loaded: loaded)
        for key in plan.needsRestart {
            logger.warning("SIGHUP: \(key) changed but needs a restart; the running value is kept", metadata: ["file": "\(source.path)"])
        }
        guard let applied = await slot.submit(plan.effective) else {
            logger.warning("SIGHUP: the pipeline is stopping; config not reloaded")
            return running
        }
        logger.notice("SIGHUP: config reloaded", metadata: [
            "file": "\(source.path)", "sensors_configured": "\(plan.effective.sensors.count)",
            "sensors_known": "\(applied.sensorsKnown)", "detectors_kept": "\(applied.detectorsKept)",
            "detectors_reset": "\(applied.detectorsReset)", "needs_restart": "\(plan.needsRestart.count)",
        ])
        return plan.effective
    }

    /// Waits (at most 2 s) for the outcome of the first connect, so READY=1 says whether the
    /// broker is there; a broker that is down does not hold READY back for longer.
    static func awaitFirstConnect(_ subscriber: MQTTSubscriber) async {
        for _ in 0..<40 where subscriber.connects == 0 {
            try? await Task.sleep(for: .milliseconds(50))
        }
    }
}

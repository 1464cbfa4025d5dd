import Foundation
import Logging
import ServiceLifecycle
import TinsenseConfig
import TinsenseCore
import TinsenseDecode
import TinsenseAlerts
import TinsenseForward
import TinsenseMQTT
import TinsenseReplay
import TinsenseSystem
import UnixSignals
import TinsenseStorage
import TinsenseValidate

/// The tinsense daemon as one swift-service-lifecycle `Service`: start, steady state, reload
/// and stop live here, and each is announced to systemd (docs/SYSTEMD.md).
///
/// Start: open the WAL (truncating a torn tail), open storage, replay the WAL after the last
/// checkpoint through the pipeline, start the pipeline thread, then start MQTT. Stop (SIGTERM
/// or SIGINT): stop MQTT (nothing more is acknowledged), drain the queue, seal the head,
/// fsync and close — within `daemon.stop_timeout_s` (`StopDeadline`), else exit 1 unsealed.
///
/// The data directory is locked (`DataDirectoryLock`) for the whole run: a second writer
/// fails at once. A subscriber that can no longer deliver what the config promises (its
/// network loop ended, a subscription refused or downgraded below `mqtt.qos`) ends the run
/// with an error, so the process exits non-zero and systemd restarts it: never deaf.
///
/// systemd: `READY=1` once the WAL is recovered and the first broker connect was attempted,
/// `STATUS=` every few seconds, `WATCHDOG=1` only while `HealthWatchdog` finds the pipeline
/// healthy, `RELOADING=1`/`READY=1` around a SIGHUP reload, `STOPPING=1` at stop. SIGHUP
/// re-reads the config (`ReloadPlan` says what may change) and the pipeline thread applies it
/// between two messages (`ReloadSlot`); the alert log is reopened as well.
package final class Daemon: Service, @unchecked Sendable {
    // @unchecked: the mutable parts are set up in `run` before any thread starts and torn down
    // after every thread has ended.
    package let config: Config
    let logger: Logger
    let storeFactory: @Sendable (String, WriteAheadLog, Config, Logger) throws -> any ReadingStore
    /// Where SIGHUP re-reads the config; nil: SIGHUP only reopens the alert log.
    let reloadSource: ReloadSource?
    let notifier: SystemdNotifier

    /// `storeFactory` builds the storage engine on the data directory.
    package init(
        config: Config, logger: Logger, reloadSource: ReloadSource? = nil,
        notifier: SystemdNotifier = SystemdNotifier(environment: ProcessInfo.processInfo.environment),
        storeFactory: @escaping @Sendable (String, WriteAheadLog, Config, Logger) throws -> any ReadingStore
    ) {
        self.config = config
        self.logger = logger
        self.reloadSource = reloadSource
        self.notifier = notifier
        self.storeFactory = storeFactory
    }

    package func run() async throws {
        // SIGHUP is trapped first: one during recovery, or the moment systemd reads READY=1,
        // would otherwise end the process. It is handled (a reload) once the daemon is ready.
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        let dataDirectory = config.daemon.dataDirectory
        try PosixIO.makeDirectories(dataDirectory)
        let lock = try DataDirectoryLock(directory: dataDirectory)
        defer { withExtendedLifetime(lock) {} }
        let wal = try WriteAheadLog(directory: dataDirectory, maxFileBytes: config.storage.walFileMaxMB << 20, logger: logger)
        // `[record]`: trimmed WAL files are hard-linked into the raw-stream archive (docs/REPLAY.md).
        if config.record.enabled { try RawStreamArchive(config: config, logger: logger).attach(to: wal) }
        let store = try storeFactory(dataDirectory, wal, config, logger)
        let quarantine = try QuarantineLog(dataDirectory: dataDirectory, payloadLimit: config.validation.quarantinePayloadBytes,
                                           maxBytes: config.storage.quarantineMaxMB << 20, keep: config.storage.quarantineKeep, logger: logger)
        let start = WallClock.now()
        let validator = Validator(catalog: SensorCatalog(specs: config.sensorSpecs), policy: config.validationPolicy, start: start)
        // One set of connection settings (TLS, user, password) for the subscriber and the republisher.
        let connection = try BrokerConnection(config: config.mqtt, environment: ProcessInfo.processInfo.environment)
        let alertLog = try AlertLog(path: config.alerts.file ?? dataDirectory + "/alerts.jsonl", maxBytes: config.alerts.maxMB << 20, keep: config.alerts.keep)
        let alertClientID = config.mqtt.clientID + "-alerts"
        let republisher = config.alerts.mqttTopic.map { template in
            AlertRepublisher(template: template, logger: logger) { [logger] in
                let publisher = try MQTTPublisher(connection: connection, clientID: alertClientID, logger: logger)
                try publisher.connect(timeout: .seconds(5))
                return publisher
            }
        }
        let alertOutput = AlertOutput(log: alertLog, republisher: republisher, logger: logger)
        let detection = config.detection.enabled ? DetectionStage(config: config, output: alertOutput) : nil
        let pipeline = Pipeline(
            validator: validator, store: store, quarantine: quarantine,
            limits: DecodeLimits(maxPayloadBytes: config.validation.maxPayloadBytes, maxBatch: config.validation.maxBatch),
            detection: detection, logger: logger
        )

        // Recognising broker resends (retained values, redeliveries) needs the ledger as of the
        // checkpoint; it is saved next to it before WAL files are deleted.
        let segmentsDirectory = dataDirectory + "/segments"
        let admission = MessageAdmission(
            ledger: try MessageAdmission.restoredLedger(segmentsDirectory: segmentsDirectory, wal: wal, checkpoint: store.checkpoint, maxTopics: Daemon.maxLedgerTopics),
            maxPayloadBytes: config.validation.maxPayloadBytes
        )
        pipeline.admission = admission
        // `[forward]`: the spool is fed from the replay on, the forwarder sends from now on.
        let forward = config.forward.enabled ? try ForwardOutput(settings: config.forward, dataDirectory: dataDirectory, logger: logger) : nil
        pipeline.forward = forward?.makeTap(logger: logger) { alertOutput.emit($0, replaying: false) }
        forward?.start()
        (store as? SegmentStore)?.willTrimWAL = { try admission.persist(at: $0, segmentsDirectory: segmentsDirectory) }

        // Started before the replay, which pings it as it goes: a long recovery is progress.
        let health = HealthSignals()
        let watchdog = HealthWatchdog(notifier: notifier, signals: health, fsyncIntervalMs: config.storage.fsyncIntervalMs, logger: logger)
        watchdog.start()
        defer { watchdog.stop() }

        detection?.replaying = true
        try replay(wal: wal, pipeline: pipeline, health: health)
        detection?.replaying = false
        republisher?.start()

        let subscriberOptions = SubscriberOptions(
            connection: connection, clientID: config.mqtt.clientID, cleanSession: config.mqtt.cleanSession,
            qos: config.mqtt.qos, keepaliveSeconds: config.mqtt.keepaliveSeconds,
            subscriptions: config.subscriptions,
            statusTopic: config.mqtt.statusTopic,
            reconnectMinSeconds: config.mqtt.reconnectMinSeconds, reconnectMaxSeconds: config.mqtt.reconnectMaxSeconds,
            refusalsBeforeFailure: config.mqtt.refusalsBeforeExit,
            // MQTT 5: clean_session = true is a session that ends with the connection.
            sessionExpirySeconds: config.mqtt.cleanSession ? 0 : UInt32(config.mqtt.sessionExpirySeconds)
        )
        let queue = MessageQueue(capacity: config.mqtt.queueCapacity, maxBytes: config.mqtt.queueMaxMB << 20)
        let sink = IngestSink(
            wal: wal, queue: queue, maxPayloadBytes: config.validation.maxPayloadBytes,
            keptPrefixBytes: config.validation.quarantinePayloadBytes, logger: logger, clock: WallClock.now, health: health,
            holdLimit: subscriberOptions.longestHold
        )
        let reloads = ReloadSlot()
        let runner = PipelineThread(pipeline: pipeline, queue: queue, sink: sink, config: config, logger: logger, health: health, reloads: reloads)
        runner.start()

        let subscriber = MQTTSubscriber(options: subscriberOptions, sink: sink, logger: logger)
        try subscriber.start()
        let metricsServer = DaemonMetrics.serve(config.metrics, sources: DaemonMetrics(
            queue: queue, sink: sink, subscriber: subscriber, dataDirectory: dataDirectory, started: start, forward: forward), logger: logger)
        defer { metricsServer?.stop() }
        watchdog.attach(sink: sink, queue: queue, subscriber: subscriber, broker: "\(connection.broker)")
        await Daemon.awaitFirstConnect(subscriber)
        notifier.notify("READY=1\nSTATUS=ready; \(watchdog.brokerState())")
        logger.info("tinsense running", metadata: [
            "data": "\(dataDirectory)", "sensors_configured": "\(config.sensors.count)",
            "fsync_interval_ms": "\(config.storage.fsyncIntervalMs)", "alerts": "\(alertLog.path)",
        ])

        // Group commit until asked to stop, or until the subscriber fails for good.
        let interval = Duration.milliseconds(config.storage.fsyncIntervalMs)
        let failure: SubscriberFailure? = await withTaskGroup(of: SubscriberFailure?.self) { group in
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: interval)
                    Daemon.groupCommit(wal: wal, quarantine: quarantine, logger: self.logger)
                    forward?.sync()
                    try? alertLog.sync()
                    health.committed()
                }
                return nil
            }
            // SIGHUP: reload the config and reopen the alert log (logrotate's postrotate).
            group.addTask {
                var running = self.config
                for await _ in hangups {
                    running = await self.reload(running: running, slot: reloads, alertLog: alertLog, watchdog: watchdog)
                }
                return nil
            }
            group.addTask {
                try? await gracefulShutdown()
                return nil
            }
            group.addTask {
                for await f in subscriber.failures { return f }
                return nil
            }
            // The first of: a stop request, or a subscriber failure.
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        notifier.notify("STOPPING=1\nSTATUS=stopping: draining the queue, sealing the head")
        watchdog.stop()
        if let failure {
            logger.critical("MQTT subscriber failed; stopping so that systemd restarts the daemon", metadata: ["failure": "\(failure)"])
        }

        let deadline = StopDeadline(seconds: config.daemon.stopTimeoutSeconds, logger: logger)
        logger.info("stopping: no more messages will be acknowledged", metadata: ["stop_timeout_s": "\(config.daemon.stopTimeoutSeconds)"])
        subscriber.stop(force: sink.stalled)
        queue.close()
        await runner.finished()
        Daemon.groupCommit(wal: wal, quarantine: quarantine, logger: logger)
        var sealFailure: (any Error)?
        do {
            try store.sealNow(processedThrough: pipeline.processedThrough, now: WallClock.now())
        } catch {
            sealFailure = error
            logger.error("cannot seal the head at stop; it stays in the WAL and is replayed on the next start", metadata: ["error": "\(error)"])
        }
        forward?.sync()
        forward?.stop()
        try wal.close()
        try quarantine.sync()
        alertOutput.close()
        deadline.cancel()
        logger.info("tinsense stopped", metadata: [
            "messages": "\(pipeline.counters.messages)", "stored": "\(pipeline.counters.readingsStored)",
            "quarantined": "\(pipeline.counters.quarantineSummary)",
        ])
        if let failure { throw failure }
        if let sealFailure { throw sealFailure }
    }

    /// Runs the WAL written after the last checkpoint through the pipeline. Idempotent: the
    /// store refuses readings it already holds and the quarantine skips lines it has.
    func replay(wal: WriteAheadLog, pipeline: Pipeline, health: HealthSignals? = nil) throws {
        let from = pipeline.processedThrough
        var reader = try wal.records(from: from)
        var count = 0
        while let entry = reader.next() {
            pipeline.process(IngestedMessage(entry: entry))
            health?.replayed()
            count += 1
            if count % 10_000 == 0 { _ = pipeline.sealDueAndApplyRetention(now: WallClock.now()) }
        }
        for d in reader.damage { logger.error("WAL damage skipped during replay", metadata: ["damage": "\(d)"]) }
        pipeline.counters.replayedMessages = count
        if count > 0 {
            logger.notice("replayed WAL after the last checkpoint", metadata: [
                "messages": "\(count)", "from": "\(from.map(\.description) ?? "start")",
                "stored": "\(pipeline.counters.readingsStored)", "quarantined": "\(pipeline.counters.quarantineSummary)",
            ])
        }
        _ = pipeline.sealDueAndApplyRetention(now: WallClock.now())
    }

    /// Topics the delivery ledger remembers for retained repeats (one per sensor topic of a
    /// large plant, with room to spare); beyond it the oldest-seen topic is forgotten.
    static let maxLedgerTopics = 100_000

    static func groupCommit(wal: WriteAheadLog, quarantine: QuarantineLog, logger: Logger) {
        do {
            try wal.sync()
            try quarantine.sync()
        } catch {
            logger.error("group commit (fsync) failed", metadata: ["error": "\(error)"])
        }
    }
}

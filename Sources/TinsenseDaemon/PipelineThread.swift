import Foundation
import Logging
import TinsenseConfig
import TinsenseCore
import TinsenseSystem

/// Runs the pipeline on a dedicated thread: batches from the queue, periodic duties
/// (stale checks, sealing, the stats line) when idle, and a final drain at stop.
final class PipelineThread: @unchecked Sendable {
    // @unchecked: `pipeline` is touched only by the thread this type starts; `done` is
    // guarded by `lock`.
    let pipeline: Pipeline
    let queue: MessageQueue
    let sink: IngestSink
    let config: Config
    let logger: Logger
    /// Heartbeat and figures for the watchdog (`HealthWatchdog`).
    let health: HealthSignals?
    /// Reloaded configs waiting to be applied between two batches.
    let reloads: ReloadSlot
    /// A batch shorter than this was drained faster than it came (see `loop`).
    static let shortBatch = 64
    /// How long the thread stays off the queue after a short batch.
    static let gatherMicroseconds: UInt32 = 500
    private let lock = NSCondition()
    private var done = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    init(pipeline: Pipeline, queue: MessageQueue, sink: IngestSink, config: Config, logger: Logger,
         health: HealthSignals? = nil, reloads: ReloadSlot = ReloadSlot()) {
        self.pipeline = pipeline
        self.health = health
        self.reloads = reloads
        self.queue = queue
        self.sink = sink
        self.config = config
        self.logger = logger
    }

    func start() {
        let thread = Thread { [self] in
            loop()
            lock.lock()
            done = true
            let w = waiters
            waiters = []
            lock.unlock()
            for c in w { c.resume() }
        }
        thread.name = "tinsense-pipeline"
        thread.start()
    }

    /// Waits until the thread has drained the closed queue and ended.
    func finished() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            lock.lock()
            if done {
                lock.unlock()
                c.resume()
            } else {
                waiters.append(c)
                lock.unlock()
            }
        }
    }

    private func loop() {
        var lastDuties = WallClock.now()
        var lastStats = lastDuties
        let statsEvery = Int64(config.daemon.statsIntervalSeconds) * 1000
        var batch: [IngestedMessage] = []
        while queue.popBatch(max: 512, timeout: 0.1, into: &batch) {
            // Each message read in place: a `for m in batch` copy retains and releases its arrays.
            batch.withUnsafeBufferPointer { messages in
                for i in messages.indices { pipeline.process(messages[i]) }
            }
            // A short batch means this thread drains faster than messages come: waiting on the
            // queue again would have the network thread wake it (a futex wake and two context
            // switches) for nearly every message. Half a millisecond off the queue lets a fast
            // stream gather into one batch, and a push meanwhile makes no system call (no one
            // waits on the condition). Alerts come at most that much later; a slow stream pays
            // one short sleep per message.
            if !batch.isEmpty && batch.count < PipelineThread.shortBatch { usleep(PipelineThread.gatherMicroseconds) }
            // QoS 0 messages of a burst whose end the socket never showed (IngestSink).
            sink.writeHeldIfStale()
            reloads.applyPending { pipeline.reload($0, now: WallClock.now()) }
            let now = WallClock.now()
            // The duties (seal and retention check, alert tick, every sensor's deadman) scan all
            // sensors and segments: at most every 100 ms while messages flow, every second when
            // idle. They used to run after every batch, and a fast stream comes in batches of one
            // or two messages, so each message paid a scan of every sensor. A full head is
            // sealed by the append itself; alerts fire in `observe`, not in the tick.
            if lastDuties.milliseconds(to: now) >= (batch.isEmpty ? 1000 : 100) {
                lastDuties = now
                sink.paused = !pipeline.sealDueAndApplyRetention(now: now)
                pipeline.detection?.tick(now: now)
                pipeline.counters.sampleAlerts(pipeline.detection?.engine)
                for t in pipeline.validator.checkStale(now: now) {
                    pipeline.detection?.stale(t, now: now)
                    if t.stale {
                        logger.warning("sensor stale", metadata: ["sensor": "\(t.sensor)", "last_reading": "\(t.lastReceive)"])
                    } else {
                        logger.notice("sensor reporting again", metadata: ["sensor": "\(t.sensor)"])
                    }
                }
            }
            if lastStats.milliseconds(to: now) >= statsEvery {
                lastStats = now
                let c = pipeline.counters
                logger.info("stats", metadata: [
                    "messages": "\(c.messages)", "stored": "\(c.readingsStored)",
                    "quarantined": "\(c.quarantineSummary)", "downgraded": "\(c.downgradeSummary)",
                    "quarantine_write_failures": "\(c.quarantineWriteFailures)",
                    "queue_depth": "\(queue.depth)", "queue_high_water": "\(queue.highWater)",
                ])
            }
            if let health {
                let c = pipeline.counters
                health.pipelineTurned(messages: c.messages, stored: c.readingsStored, quarantined: c.quarantined.values.reduce(0, +))
            }
        }
        reloads.abandon()
    }
}

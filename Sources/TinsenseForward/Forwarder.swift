import Foundation
import Logging
import Synchronization
import TinsenseConfig
import TinsenseCore
import TinsenseStorage
import TinsenseSystem

/// The forwarder thread: takes a batch after the spool's cursor, POSTs it to
/// `<url>/write?precision=ms` as Influx line protocol, and moves the cursor only after a
/// 2xx (or after setting a refused batch aside). Everything between a reading's spooling and
/// its acknowledgement is on disk, so a crash, a kill -9 or a database outage loses nothing;
/// a batch whose answer was lost is sent again (docs/FORWARDING.md, "Guarantees").
final class Forwarder: @unchecked Sendable {
    // @unchecked: `reader`, `poster` and `rejected` are used only by the thread `start`
    // makes; `stopping`, `done` and `acknowledged` are synchronised.
    private let reader: SpoolReader
    private let poster: HTTPPoster
    private let rejected: RejectedBatchLog
    private let settings: Config.Forward
    private let metrics: ForwardMetrics
    private let logger: Logger
    private let stopping = Atomic<Bool>(false)
    private let done = Guarded<Bool>(false)
    /// The cursor as last committed: what the lag gauge and `hasPending` read from other threads.
    let progress: Guarded<SpoolCursor>
    private let spool: Spool

    init(spool: Spool, settings: Config.Forward, metrics: ForwardMetrics, logger: Logger) throws {
        reader = SpoolReader(spool: spool, logger: logger)
        poster = try HTTPPoster(url: Forwarder.writeURL(settings), timeoutSeconds: settings.timeoutSeconds, caFile: settings.tlsCAFile)
        rejected = RejectedBatchLog(directory: spool.directory)
        self.settings = settings
        self.metrics = metrics
        self.logger = logger
        progress = Guarded(reader.cursor)
        self.spool = spool
    }

    /// `<url>/write?precision=ms`, with each configured label as an `extra_label`.
    static func writeURL(_ s: Config.Forward) -> String {
        var url = (s.url.hasSuffix("/") ? String(s.url.dropLast()) : s.url) + "/write?precision=ms"
        for label in s.labels { url += "&extra_label=" + percentEncoded(label) }
        return url
    }

    static func percentEncoded(_ s: String) -> String {
        var out = ""
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"), UInt8(ascii: "="):
                out.append(Character(Unicode.Scalar(b)))
            default:
                out += "%" + (b < 16 ? "0" : "") + String(b, radix: 16, uppercase: true)
            }
        }
        return out
    }

    func start() {
        let thread = Thread { [self] in
            loop()
            done.withLock { $0 = true }
        }
        thread.name = "tinsense-forward"
        thread.start()
    }

    /// Asks the thread to end and waits for it at most `seconds` (a request in flight is
    /// abandoned: its batch is sent again on the next start). Bounded, for the stop deadline.
    func stop(waitingAtMost seconds: Double) {
        stopping.store(true, ordering: .relaxed)
        let deadline = MonotonicClock.microseconds() + UInt64(seconds * 1e6)
        while !done.withLock({ $0 }), MonotonicClock.microseconds() < deadline { usleep(10_000) }
    }

    private var isStopping: Bool { stopping.load(ordering: .relaxed) }

    /// Sleeps `seconds` in short steps, ending early when asked to stop.
    private func pause(_ seconds: Double) {
        let deadline = MonotonicClock.microseconds() + UInt64(seconds * 1e6)
        while !isStopping {
            let now = MonotonicClock.microseconds()
            if now >= deadline { return }
            usleep(UInt32(min(50_000, deadline - now)))
        }
    }

    private func loop() {
        var limit = settings.batchMaxReadings
        var delay = settings.retryMinSeconds
        var failures = 0
        var body: [UInt8] = []
        while !isStopping {
            guard var batch = reader.nextBatch(max: limit) else {
                pause(0.02)
                continue
            }
            // A short batch waits for company, up to the delay, then goes as it is.
            if batch.readings.count < limit, !batch.fromFinalFile, settings.batchMaxDelayMs > 0, failures == 0 {
                pause(Double(settings.batchMaxDelayMs) / 1000)
                if isStopping { break }
                guard let fuller = reader.nextBatch(max: limit) else { continue }
                batch = fuller
            }
            body.removeAll(keepingCapacity: true)
            for r in batch.readings { body.append(contentsOf: ReadingFormat.victoriaMetrics(r).utf8) }
            let outcome = poster.post(body)
            switch ForwardVerdict(outcome, batchSize: batch.readings.count) {
            case .accepted:
                commit(batch)
                metrics.forwarded.increment(by: Int64(batch.readings.count))
                if failures > 0 {
                    logger.notice("forwarding resumed", metadata: ["failed_requests": "\(failures)", "url": "\(poster.url)"])
                }
                failures = 0
                delay = settings.retryMinSeconds
                limit = settings.batchMaxReadings
            case .split:
                limit = max(1, batch.readings.count / 2)
                logger.warning("VictoriaMetrics refused a batch as too large (413); sending smaller batches", metadata: ["readings": "\(limit)"])
            case .retry(let why):
                metrics.requestsTransient.increment()
                failures += 1
                if failures == 1 || failures % 10 == 0 {
                    logger.error("forwarding failed; the spool keeps the readings and the request is retried", metadata: [
                        "reason": "\(why)", "failed_requests": "\(failures)", "retry_in_s": "\(delay)", "url": "\(poster.url)",
                    ])
                }
                pause(delay)
                delay = min(settings.retryMaxSeconds, delay * 2)
            case .rejected(let status, let response):
                metrics.requestsRejected.increment()
                metrics.readingsRejected.increment(by: Int64(batch.readings.count))
                logger.error("VictoriaMetrics refused a batch; it is set aside in rejected.jsonl and forwarding goes on (the readings stay in local storage)", metadata: [
                    "status": "\(status)", "response": "\(response.prefix(300))", "readings": "\(batch.readings.count)",
                ])
                do {
                    try rejected.append(RejectedBatchLog.line(time: WallClock.now(), status: status, response: response, readings: batch.readings, request: body))
                } catch {
                    logger.error("cannot write forward/rejected.jsonl", metadata: ["error": "\(error)"])
                }
                commit(batch)
                failures = 0
                delay = settings.retryMinSeconds
                limit = settings.batchMaxReadings
            }
        }
    }

    private func commit(_ batch: SpoolReader.Batch) {
        do {
            try reader.commit(batch)
        } catch {
            // The cursor moves on in memory; after a restart the batch is sent again (duplicates, no loss).
            logger.error("cannot save the forward cursor", metadata: ["error": "\(error)"])
        }
        let cursor = reader.cursor
        progress.withLock { $0 = cursor }
    }

    /// True while readings wait in the spool for an acknowledgement (any thread).
    var hasPending: Bool { spool.hasRecords(after: progress.withLock { $0.position }) }
}

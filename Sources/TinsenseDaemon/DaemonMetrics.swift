#if canImport(Glibc)
import Glibc
#endif
import Logging
import Metrics
import TinsenseConfig
import TinsenseCore
import TinsenseForward
import TinsenseMQTT
import TinsenseMetrics
import TinsenseStorage
import TinsenseSystem

/// The gauges `/metrics` reads at scrape time, from sources any thread may read: the hand-off
/// queue (locked), the subscriber's and the sink's atomics, and the data directory's files.
///
/// Read at scrape time rather than sampled by the pipeline thread so that a stuck pipeline
/// shows as a growing lag and a growing silence instead of frozen gauges. Every series has a
/// fixed, small label set (no per-topic or per-sensor series): docs/OPERATIONS.md, "Metrics".
final class DaemonMetrics: Sendable {
    let queue: MessageQueue
    let sink: IngestSink
    let subscriber: MQTTSubscriber
    let walDirectory: String
    let segmentsDirectory: String
    let started: Timestamp
    /// `[forward]`'s spool and lag gauges, when forwarding is on.
    let forward: ForwardOutput?

    private let connected = Gauge(label: "tinsense_mqtt_connected")
    private let reconnects = Counter(label: "tinsense_mqtt_reconnects_total")
    private let queueDepth = Gauge(label: "tinsense_queue_depth")
    private let queueBytes = Gauge(label: "tinsense_queue_bytes")
    private let walBytes = Gauge(label: "tinsense_wal_bytes")
    private let segmentBytes = Gauge(label: "tinsense_segment_bytes")
    private let segmentFiles = Gauge(label: "tinsense_segments")
    private let sinceLastMessage = Gauge(label: "tinsense_seconds_since_last_message")
    private let lastMessageTime = Gauge(label: "tinsense_last_message_timestamp_seconds")
    private let pipelineLag = Gauge(label: "tinsense_pipeline_lag_seconds")
    /// Reconnects already added to the counter (the subscriber counts connects, not reconnects).
    private let reconnectsCounted = Guarded<Int>(0)

    init(queue: MessageQueue, sink: IngestSink, subscriber: MQTTSubscriber, dataDirectory: String, started: Timestamp, forward: ForwardOutput? = nil) {
        self.forward = forward
        self.queue = queue
        self.sink = sink
        self.subscriber = subscriber
        walDirectory = dataDirectory + "/wal"
        segmentsDirectory = dataDirectory + "/segments"
        self.started = started
    }

    /// Brings every scrape-time gauge up to `now`.
    func refresh(now: Timestamp) {
        connected.record(subscriber.isConnected ? 1 : 0)
        let total = max(0, subscriber.connects - 1)
        let added = reconnectsCounted.withLock { counted in
            defer { counted = max(counted, total) }
            return total - counted
        }
        if added > 0 { reconnects.increment(by: Int64(added)) }
        queueDepth.record(queue.depth)
        queueBytes.record(queue.depthBytes)
        walBytes.record(DaemonMetrics.bytes(in: walDirectory).bytes)
        let segments = DaemonMetrics.bytes(in: segmentsDirectory) { SegmentFormat.sequence(fromFileName: $0) != nil }
        segmentBytes.record(segments.bytes)
        segmentFiles.record(segments.files)
        let last = sink.lastReceive
        if let last { lastMessageTime.record(Double(last.millisecondsSinceEpoch) / 1000) }
        sinceLastMessage.record(Double(max(0, (last ?? started).milliseconds(to: now))) / 1000)
        let oldest = queue.oldestReceiveTime
        pipelineLag.record(Double(max(0, oldest.map { $0.milliseconds(to: now) } ?? 0)) / 1000)
        forward?.refreshGauges()
    }

    /// Total size of the regular files in `directory` whose names `counted` accepts.
    static func bytes(in directory: String, counted: (String) -> Bool = { _ in true }) -> (bytes: Int, files: Int) {
        guard let names = try? PosixIO.listDirectory(directory) else { return (0, 0) }
        var total = 0
        var files = 0
        for name in names where counted(name) {
            var st = stat()
            guard stat(directory + "/" + name, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { continue }
            total += Int(st.st_size)
            files += 1
        }
        return (total, files)
    }

    /// Starts `/metrics` as `[metrics]` says, or returns nil (disabled, or the address cannot be
    /// bound). A port in use is logged, not fatal: ingest matters more than its metrics, and
    /// the scraper's `up == 0` reports the missing endpoint.
    static func serve(_ settings: Config.Metrics, sources: DaemonMetrics, logger: Logger) -> MetricsHTTPServer? {
        guard settings.enabled else { return nil }
        do {
            let server = try MetricsHTTPServer(host: settings.listen.host, port: settings.listen.port, logger: logger) {
                sources.refresh(now: WallClock.now())
                return PrometheusBackend.exposition()
            }
            server.start()
            logger.info("serving Prometheus metrics", metadata: ["listen": "\(settings.listen)", "path": "/metrics"])
            return server
        } catch {
            logger.error("cannot serve /metrics; running without it", metadata: ["error": "\(error)"])
            return nil
        }
    }
}

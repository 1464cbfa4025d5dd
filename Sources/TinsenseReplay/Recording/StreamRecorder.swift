#if canImport(Glibc)
import Glibc
#endif
import Logging
import TinsenseCore
import TinsenseMQTT
import TinsenseStorage
import TinsenseSystem

/// What `tinsense record` captures and how.
package struct RecordOptions: Sendable {
    /// The broker, TLS files and credentials (`BrokerLogin` builds it from the options).
    package var connection: BrokerConnection
    package var broker: BrokerURL { connection.broker }
    package var topics: [String]
    package var directory: String
    /// Stop after this long (nil: until stopped).
    package var durationMs: Int64?
    package var qos: Int
    /// The persistent session's client id: the same id after a crash resumes the session, so
    /// the broker redelivers what was not yet acknowledged.
    package var clientID: String
    package var fileMaxBytes: Int
    /// Group commit: fsync of the recording at this interval (the power-loss window).
    package var fsyncIntervalMs: Int

    /// TLS handshake failures and CONNACK refusals (a wrong CA, a wrong password) in a row
    /// before the recording ends with `RecordError.subscriber`: about 3 s at the 1 s, 2 s
    /// backoff, so a wrong setting is named and the command exits instead of retrying for ever.
    /// (A broker that is not up yet is not a refusal: that is retried until it is.)
    package var refusalsBeforeFailure: Int

    package init(connection: BrokerConnection, topics: [String], directory: String, durationMs: Int64? = nil, qos: Int = 1,
                 clientID: String? = nil, fileMaxBytes: Int = 64 << 20, fsyncIntervalMs: Int = 200, refusalsBeforeFailure: Int = 3) {
        self.connection = connection
        self.refusalsBeforeFailure = refusalsBeforeFailure
        self.topics = topics
        self.directory = directory
        self.durationMs = durationMs
        self.qos = qos
        self.clientID = clientID ?? RecordOptions.defaultClientID(directory: directory)
        self.fileMaxBytes = fileMaxBytes
        self.fsyncIntervalMs = fsyncIntervalMs
    }

    /// A plain `mqtt://` broker without credentials.
    package init(broker: BrokerURL, topics: [String], directory: String, durationMs: Int64? = nil, qos: Int = 1,
                 clientID: String? = nil, fileMaxBytes: Int = 64 << 20, fsyncIntervalMs: Int = 200) {
        self.init(connection: BrokerConnection(broker: broker), topics: topics, directory: directory, durationMs: durationMs, qos: qos,
                  clientID: clientID, fileMaxBytes: fileMaxBytes, fsyncIntervalMs: fsyncIntervalMs)
    }

    /// `tinsense-record-<hash of the absolute output path>`: stable for one recording, so a
    /// restart of the same command continues its broker session.
    package static func defaultClientID(directory: String) -> String {
        var path = directory
        if !path.hasPrefix("/") {
            var buffer = [CChar](repeating: 0, count: 4096)
            if getcwd(&buffer, buffer.count) != nil {
                path = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) + "/" + directory
            }
        }
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in path.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return "tinsense-record-" + String(h >> 32, radix: 16)
    }
}

/// What a recording run did.
package struct RecordSummary: Sendable {
    package var messages: Int
    package var seconds: Double
    package var stoppedBy: Int32?
}

/// `tinsense record`: subscribes with a persistent session at QoS 1 and appends every
/// message to the recording's WAL before acknowledging it (`RecordSink`), fsyncing every
/// `fsyncIntervalMs` like the daemon's group commit. A crash (kill -9) loses nothing
/// acknowledged; the broker resends the rest to the next run with the same client id.
package final class StreamRecorder {
    let options: RecordOptions
    let logger: Logger

    package init(options: RecordOptions, logger: Logger) {
        self.options = options
        self.logger = logger
    }

    /// Records until `stop` is requested, the duration has passed, or the subscriber fails.
    package func run(stop: StopRequest) throws -> RecordSummary {
        try PosixIO.makeDirectories(options.directory)
        let wal = try WriteAheadLog(directory: options.directory, maxFileBytes: options.fileMaxBytes, logger: logger)
        let sink = RecordSink(wal: wal, logger: logger)
        let subscriber = MQTTSubscriber(
            options: SubscriberOptions(connection: options.connection, clientID: options.clientID, cleanSession: false, qos: options.qos,
                                       subscriptions: options.topics, refusalsBeforeFailure: options.refusalsBeforeFailure),
            sink: sink, logger: logger
        )
        let started = ContinuousClock.now
        try subscriber.start()
        let failed = FailureWatch(subscriber)
        var lastSync = ContinuousClock.now
        while !stop.isRequested && !failed.hasFailed {
            if let d = options.durationMs, ContinuousClock.now - started >= .milliseconds(d) { break }
            usleep(20_000)
            if ContinuousClock.now - lastSync >= .milliseconds(options.fsyncIntervalMs) {
                lastSync = ContinuousClock.now
                do { try wal.sync() } catch { logger.error("fsync of the recording failed", metadata: ["error": "\(error)"]) }
            }
        }
        // A sink waiting for the disk must not return (it would acknowledge): cancel its thread.
        subscriber.stop(force: sink.stalled)
        try wal.close()
        let elapsed = (ContinuousClock.now - started).components
        let seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
        if let f = failed.failure { throw RecordError.subscriber(f) }
        return RecordSummary(messages: sink.written, seconds: seconds, stoppedBy: stop.signal)
    }
}

/// Why a recording ended early.
package enum RecordError: Error, CustomStringConvertible {
    case subscriber(String)
    package var description: String {
        switch self { case .subscriber(let f): "the MQTT subscriber failed: \(f)" }
    }
}

/// Watches the subscriber's failure feed on a task, for a polling loop.
final class FailureWatch: Sendable {
    private let stored = Guarded<String?>(nil)

    init(_ subscriber: MQTTSubscriber) {
        Task { [weak self] in
            for await f in subscriber.failures {
                self?.stored.withLock { $0 = "\(f)" }
                return
            }
        }
    }

    var failure: String? { stored.withLock { $0 } }
    var hasFailed: Bool { failure != nil }
}

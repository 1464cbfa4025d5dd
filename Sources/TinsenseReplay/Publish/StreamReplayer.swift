import Logging
import TinsenseCore
import TinsenseMQTT
import TinsenseStorage

/// What `tinsense replay --publish` sends and how.
package struct ReplayOptions: Sendable {
    package var recording: Recording
    package var from: Timestamp?
    package var to: Timestamp?
    /// The broker, TLS files and credentials (`BrokerLogin` builds it from the options).
    package var connection: BrokerConnection
    package var broker: BrokerURL { connection.broker }
    package var speed: ReplaySpeed
    /// Prepended to every topic (`replay/` turns `plant/x` into `replay/plant/x`).
    package var topicPrefix: String
    /// Publish at this QoS instead of each message's recorded one.
    package var qos: Int?
    package var clientID: String

    package init(recording: Recording, from: Timestamp? = nil, to: Timestamp? = nil, connection: BrokerConnection,
                 speed: ReplaySpeed = .factor(1), topicPrefix: String = "", qos: Int? = nil, clientID: String = "tinsense-replay") {
        self.recording = recording
        self.from = from
        self.to = to
        self.connection = connection
        self.speed = speed
        self.topicPrefix = topicPrefix
        self.qos = qos
        self.clientID = clientID
    }

    /// A plain `mqtt://` broker without credentials.
    package init(recording: Recording, from: Timestamp? = nil, to: Timestamp? = nil, broker: BrokerURL,
                 speed: ReplaySpeed = .factor(1), topicPrefix: String = "", qos: Int? = nil, clientID: String = "tinsense-replay") {
        self.init(recording: recording, from: from, to: to, connection: BrokerConnection(broker: broker), speed: speed,
                  topicPrefix: topicPrefix, qos: qos, clientID: clientID)
    }
}

/// Where a replay is, handed to the progress callback about once a second.
package struct ReplayProgress: Sendable {
    package var sent: Int
    package var elapsedSeconds: Double
    /// Fraction of the recording's bytes read (0…1).
    package var fraction: Double

    package var rate: Double { elapsedSeconds > 0 ? Double(sent) / elapsedSeconds : 0 }
    /// Seconds left at the pace so far; nil before there is a pace.
    package var etaSeconds: Double? {
        guard fraction > 0.001, elapsedSeconds > 0 else { return nil }
        return elapsedSeconds * (1 - fraction) / fraction
    }

    /// `12,345 msgs  4,100/s  37%  ETA 0:42` (one terminal line).
    package var line: String {
        let eta = etaSeconds.map { s in
            let t = Int(s.rounded())
            return "ETA \(t / 3600 > 0 ? "\(t / 3600):" : "")\(pad2(t / 60 % 60)):\(pad2(t % 60))"
        } ?? "ETA --"
        return "\(grouped(sent)) msgs  \(grouped(Int(rate)))/s  \(Int(fraction * 100))%  \(eta)"
    }

    private func pad2(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
    private func grouped(_ n: Int) -> String {
        let s = String(n)
        var out = ""
        for (i, c) in s.enumerated() {
            if i > 0, (s.count - i) % 3 == 0 { out += "," }
            out.append(c)
        }
        return out
    }
}

/// What a replay did.
package struct ReplaySummary: Sendable {
    package var sent: Int
    /// Records the WAL kept only a prefix of (larger than `max_payload_bytes`): not sent,
    /// because their bytes are not what was received.
    package var skippedTruncated: Int
    package var seconds: Double
    package var stoppedBy: Int32?
    package var damage: [DamageReport]
}

/// `tinsense replay --publish`: re-publishes a recording's messages byte for byte (topic,
/// payload, retain flag; the QoS recorded unless overridden) through `MQTTPublisher`,
/// whose bounded in-flight window (`maxUnacknowledged`) is the backpressure at `max` speed.
package final class StreamReplayer {
    let options: ReplayOptions
    let logger: Logger

    package init(options: ReplayOptions, logger: Logger) {
        self.options = options
        self.logger = logger
    }

    /// Replays the recording; a paced replay (`--speed N`) runs on a real-time thread where
    /// permitted (`PacedThread`), `max` on the caller's thread.
    package func run(stop: StopRequest, progress: ((ReplayProgress) -> Void)? = nil) throws -> ReplaySummary {
        guard case .factor = options.speed else { return try publishAll(stop: stop, progress: progress) }
        return try PacedThread.run(logger: logger) { try publishAll(stop: stop, progress: progress) }
    }

    private func publishAll(stop: StopRequest, progress: ((ReplayProgress) -> Void)?) throws -> ReplaySummary {
        var reader = try options.recording.records(from: options.from, to: options.to)
        let publisher = try MQTTPublisher(connection: options.connection, clientID: options.clientID, logger: logger)
        try publisher.connect(timeout: .seconds(10))
        defer { publisher.disconnect() }
        var pacer: ReplayPacer?
        if case .factor(let f) = options.speed { pacer = ReplayPacer(speed: f) }
        let started = ReplayPacer.monotonicNs()
        var lastReport = started
        var sent = 0
        var truncated = 0
        let total = max(reader.totalBytes, 1)
        func report(_ now: Int64) {
            progress?(ReplayProgress(sent: sent, elapsedSeconds: Double(now - started) / 1e9,
                                     fraction: min(1, Double(reader.bytesRead) / Double(total))))
        }
        while !stop.isRequested, let record = reader.next() {
            if record.isTruncated {
                truncated += 1
                continue
            }
            if var p = pacer {
                let due = p.deadline(for: record.receiveTime)
                pacer = p
                guard ReplayPacer.sleep(until: due, shouldStop: { stop.isRequested }) else { break }
            }
            try publisher.publish(topic: options.topicPrefix + record.topicString, payload: record.payload,
                                  qos: options.qos ?? Int(min(record.qos, 1)), retain: record.retained)
            sent += 1
            if sent & 255 == 0, progress != nil {
                let now = ReplayPacer.monotonicNs()
                if now - lastReport >= 1_000_000_000 {
                    lastReport = now
                    report(now)
                }
            }
        }
        // What was handed to the publisher is flushed even when stopped early.
        try publisher.flush(timeout: .seconds(60))
        let end = ReplayPacer.monotonicNs()
        report(end)
        return ReplaySummary(sent: sent, skippedTruncated: truncated, seconds: Double(end - started) / 1e9,
                             stoppedBy: stop.signal, damage: reader.damage)
    }
}

import Foundation
import TinsenseCore
import TinsenseMQTT
import Logging
import TinsenseTestSupport

/// A daemon set-up for integration tests: a config with test sensors, a data directory, and
/// helpers to publish readings and read back what was stored and quarantined.
final class TestPlant: @unchecked Sendable {
    let directory: TemporaryDirectory
    let broker: MosquittoBroker
    let daemon: DaemonProcess
    let clientID: String

    /// `storage` replaces the `[storage]` keys after `fsync_interval_ms` (e.g. a small head, so
    /// the daemon seals while a test reads). `extraConfig` is appended to the config (whole
    /// sections); by default it turns `/metrics` off, so test daemons do not compete for the
    /// default port. `mqtt` adds `[mqtt]` keys (e.g. `protocol = 5`, `share_group`).
    /// `sensorsFirst` ([[sensor]] entries) goes before the default sensors, whose
    /// `test/{line}/{sensor}` would otherwise decide the format of every `test/x/y` topic.
    init(
        name: String, broker: MosquittoBroker, keepalive: Int = 10, storage: String = "seal_interval_s = 3600",
        extraConfig: String = "[metrics]\nenabled = false", mqtt: String = "", sensorsFirst: String = "",
        subscribe: [String] = ["test/#"]
    ) throws {
        directory = TemporaryDirectory(name)
        self.broker = broker
        clientID = "tinsense-test-\(name)-\(getpid())"
        let config = """
        [daemon]
        data_dir = "\(directory.file("data"))"
        log_level = "info"
        stats_interval_s = 1

        [mqtt]
        broker = "\(broker.url)"
        client_id = "\(clientID)"
        qos = 1
        clean_session = false
        keepalive_s = \(keepalive)
        subscribe = [\(subscribe.map { "\"\($0)\"" }.joined(separator: ", "))]
        status_topic = "tinsense/\(name)/status"
        reconnect_min_s = 1
        reconnect_max_s = 2
        \(mqtt)

        [storage]
        fsync_interval_ms = 50
        \(storage)

        \(sensorsFirst)

        [[sensor]]
        topic = "test/bounded/{name}"
        id = "bounded/{name}"
        range = [0, 100]
        stale_after_s = 0

        [[sensor]]
        topic = "test/{line}/{sensor}"
        id = "{line}/{sensor}"
        unit = "u"
        stale_after_s = 0

        \(extraConfig)
        """
        try config.write(toFile: directory.file("tinsense.toml"), atomically: true, encoding: .utf8)
        daemon = DaemonProcess(
            configPath: directory.file("tinsense.toml"), dataDirectory: directory.file("data"),
            broker: broker.url, logPath: directory.file("daemon.log")
        )
    }

    func publisher(_ suffix: String = "pub") throws -> MQTTPublisher {
        let p = try MQTTPublisher(broker: BrokerURL(parsing: broker.url), clientID: "\(clientID)-\(suffix)", logger: Logger(label: "test-publisher"))
        try p.connect(timeout: .seconds(10))
        return p
    }

    /// Publishes messages `range` of `plan` (all by default) at QoS 1 from a new client, waits
    /// until the broker has every PUBACK, disconnects, and returns the rows they should store.
    @discardableResult
    func publish(_ plan: ReadingPlan, _ range: Range<Int>? = nil, client suffix: String = "pub", flushTimeout: Int = 60) throws -> [StoredRow] {
        let publisher = try publisher(suffix)
        defer { publisher.disconnect() }
        var rows: [StoredRow] = []
        for k in range ?? 0..<plan.count {
            let m = plan.message(k)
            try publisher.publish(topic: m.topic, payload: m.payload, qos: 1, retain: false)
            rows.append(m.row)
        }
        try publisher.flush(timeout: .seconds(flushTimeout))
        return rows
    }

    /// Every stored reading as (sensor, source_time, value text), from `tinsense export`.
    /// `live`: also what a running (or killed) daemon has only in its WAL, decoded with its config.
    func exported(live: Bool = false) throws -> [StoredRow] {
        let config = live ? ["--config", directory.file("tinsense.toml")] : []
        let (status, out, err) = try runTinsense(["export", "--data", directory.file("data"), "--format", "csv"] + config)
        guard status == 0 else { throw TestFailure("export failed (\(status)): \(err)") }
        var lines = out.split(separator: "\n")
        guard let header = lines.first else { return [] }
        let columns = header.split(separator: ",").map(String.init)
        guard let s = columns.firstIndex(of: "sensor"), let t = columns.firstIndex(of: "source_time"), let v = columns.firstIndex(of: "value") else {
            throw TestFailure("export header lacks sensor/source_time/value: \(header)")
        }
        lines.removeFirst()
        return lines.map { line in
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            return StoredRow(sensor: f[s], sourceTime: f[t], value: f[v])
        }
    }

    /// The quarantine lines as dictionaries.
    func quarantined() -> [[String: Any]] {
        let path = directory.file("data") + "/quarantine/quarantine.jsonl"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }
}

struct StoredRow: Hashable, CustomStringConvertible {
    var sensor: String
    var sourceTime: String
    var value: String
    var description: String { "\(sensor)@\(sourceTime)=\(value)" }
}

/// Deterministic readings: sensor `test/lineL/sNNN`, one per second from a fixed start, with
/// decimal values of varying scale (trailing zeros included) so exactness is tested.
struct ReadingPlan {
    var sensors: Int
    var perSensor: Int
    /// An hour ago on a whole second: inside the daemon's clock-skew window.
    var start = TestClock.anHourAgo

    func message(_ k: Int) -> (topic: String, payload: String, row: StoredRow) {
        let sensor = k % sensors
        let step = k / sensors
        let t = start.adding(milliseconds: Int64(step) * 1000)
        let scale = sensor % 4
        let mantissa = (k &* 7919) % 200_000 - 100_000
        let value = DecimalValue(mantissa: Int64(mantissa), scale: UInt8(scale))
        let topic = "test/line\(sensor % 5)/s\(sensor)"
        let payload = #"{"ts":"\#(t)","value":\#(value),"unit":"u"}"#
        return (topic, payload, StoredRow(sensor: "line\(sensor % 5)/s\(sensor)", sourceTime: t.description, value: value.description))
    }

    var count: Int { sensors * perSensor }
}

enum TestClock {
    static var anHourAgo: Timestamp {
        Timestamp(millisecondsSinceEpoch: (Int64(Date().timeIntervalSince1970) - 3600) * 1000)
    }
}

/// A short description of how two sets of stored rows differ (for failure messages).
func difference(_ got: [StoredRow], _ want: [StoredRow]) -> String {
    let g = Set(got), w = Set(want)
    let missing = w.subtracting(g), extra = g.subtracting(w)
    return "missing \(missing.count) (e.g. \(missing.prefix(3).map(\.description))), unexpected \(extra.count) (e.g. \(extra.prefix(3).map(\.description))), duplicates \(got.count - g.count)"
}

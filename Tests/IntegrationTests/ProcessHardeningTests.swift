import Foundation
import Testing
import TinsenseCore
import TinsenseMQTT
import TinsenseTestSupport

/// Issue 9, findings 3, 4 and the MQTT supervision of 8, with the real executable: one writer
/// per data directory, a bounded stop, and a subscriber that never runs deaf or downgraded.
@Suite("process hardening: lock, bounded stop, MQTT supervision", .serialized)
struct ProcessHardeningTests {
    /// A config for `name` on `broker` with `data`, plus extra `[storage]` lines.
    static func config(_ dir: TemporaryDirectory, name: String, broker: MosquittoBroker, data: String, storage: String = "", stopTimeout: Int = 20) throws -> String {
        let text = """
        [daemon]
        data_dir = "\(data)"
        stats_interval_s = 1
        stop_timeout_s = \(stopTimeout)

        [mqtt]
        broker = "\(broker.url)"
        client_id = "tinsense-hard-\(name)-\(getpid())"
        qos = 1
        keepalive_s = 10
        subscribe = ["test/#"]
        status_topic = "tinsense/\(name)/status"

        [storage]
        fsync_interval_ms = 50
        seal_interval_s = 3600
        \(storage)

        [[sensor]]
        topic = "test/{line}/{sensor}"
        id = "{line}/{sensor}"
        unit = "u"
        stale_after_s = 0
        """
        let path = dir.file("\(name).toml")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("a second daemon on the same data directory exits 1 naming the holder's PID")
    func secondDaemonRefused() throws {
        let broker = try MosquittoBroker()
        try broker.start()
        let dir = TemporaryDirectory("lock2")
        let data = dir.file("data")
        let first = DaemonProcess(configPath: try Self.config(dir, name: "first", broker: broker, data: data), dataDirectory: data, broker: broker.url, logPath: dir.file("first.log"))
        try first.start()
        #expect(try waitForStatus(broker: broker, topic: "tinsense/first/status", value: "online"))
        let holder = try String(contentsOfFile: data + "/LOCK", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let second = try runTinsense(["run", "--config", try Self.config(dir, name: "second", broker: broker, data: data), "--data", data])
        #expect(second.status == 1)
        #expect(second.err.contains("pid \(holder)"), "\(second.err)")
        #expect(first.isRunning)
        #expect(first.stop() == 0)
    }

    @Test("import on a live data directory is refused; a lock whose holder died does not block")
    func importRefusedThenStaleLockIgnored() throws {
        let dir = TemporaryDirectory("lockimport")
        let data = dir.file("data")
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        let csv = dir.file("in.csv")
        try "time,a\n2024-01-01T00:00:00Z,1.5\n2024-01-01T00:00:01Z,2.5\n".write(toFile: csv, atomically: true, encoding: .utf8)
        // A live holder: flock(1) holds LOCK while it sleeps.
        let holder = try ChildProcess("/usr/bin/flock", ["-x", "-o", data + "/LOCK", "sleep", "60"])
        #expect(eventually(timeout: 5) { FileManager.default.fileExists(atPath: data + "/LOCK") })
        Thread.sleep(forTimeInterval: 0.3)
        let refused = try runTinsense(["import", "--data", data, csv])
        #expect(refused.status == 1 && refused.err.contains("held by another tinsense writer"), "\(refused.err)")
        // The holder dies (SIGKILL): the kernel drops its flock; the LOCK file stays behind.
        holder.signal(SIGKILL)
        holder.wait()
        #expect(FileManager.default.fileExists(atPath: data + "/LOCK"))
        let imported = try runTinsense(["import", "--data", data, csv])
        #expect(imported.status == 0, "\(imported.err)")
        #expect(imported.out.contains("imported 2 readings"))
    }

    @Test("readers take no lock and skip an unfinished .seg.tmp")
    func readersSkipTemporarySegments() throws {
        let dir = TemporaryDirectory("locktmp")
        let data = dir.file("data")
        let csv = dir.file("in.csv")
        try "time,a\n2024-01-01T00:00:00Z,1.5\n".write(toFile: csv, atomically: true, encoding: .utf8)
        #expect(try runTinsense(["import", "--data", data, csv]).status == 0)
        try Data(repeating: 0xAB, count: 5000).write(to: URL(fileURLWithPath: data + "/segments/00000099.seg.tmp"))
        let holder = try ChildProcess("/usr/bin/flock", ["-x", "-o", data + "/LOCK", "sleep", "60"])
        defer { holder.signal(SIGKILL); holder.wait() }
        Thread.sleep(forTimeInterval: 0.3)
        let verify = try runTinsense(["verify", "--data", data])
        #expect(verify.status == 0, "\(verify.err)")
        let export = try runTinsense(["export", "--data", data, "--format", "csv"])
        #expect(export.status == 0 && export.out.split(separator: "\n").count == 2, "\(export.err)")
        let inspect = try runTinsense(["inspect", "--data", data])
        #expect(inspect.status == 0, "\(inspect.err)")
    }

    @Test("SIGTERM with the pipeline wedged on a full disk exits within the bound; a restart with space loses nothing")
    func boundedStopOnFullDisk() throws {
        let dir = TemporaryDirectory("stopfull")
        let data = dir.file("data")
        // Segments on a tiny full tmpfs: the WAL (on the ordinary disk) takes every message,
        // every seal fails, the head reaches 2 x head_max_samples and the pipeline waits.
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        guard let disk = TmpfsMount.mount(at: data + "/segments", kilobytes: 64) else {
            print("SKIPPED: mounting a tmpfs is not permitted here (needs root)")
            return
        }
        disk.fill()
        let broker = try MosquittoBroker()
        try broker.start()
        let daemon = DaemonProcess(
            configPath: try Self.config(dir, name: "wedge", broker: broker, data: data, storage: "head_max_samples = 1000\n\n[validation]\nmax_payload_bytes = 1048576\nmax_batch = 5000", stopTimeout: 3),
            dataDirectory: data, broker: broker.url, logPath: dir.file("wedge.log"))
        try daemon.start()
        #expect(try waitForStatus(broker: broker, topic: "tinsense/wedge/status", value: "online"))
        let publisher = try MQTTPublisher(broker: BrokerURL(parsing: broker.url), clientID: "wedge-pub-\(getpid())", logger: .init(label: "pub"))
        try publisher.connect(timeout: .seconds(10))
        // Two hours ago, so the 4,000 s of readings stay inside max_past_age_s and max_future_skew_s.
        let start = TestClock.anHourAgo.adding(milliseconds: -3_600_000)
        var expected = Set<String>()
        // One message of 4,000 readings: the 2,001st finds the head full, sealing fails, and the
        // pipeline thread waits inside that message (the wedge of issue 9, states 1 and 2).
        var items: [String] = []
        for i in 0..<4000 {
            let t = start.adding(milliseconds: Int64(i) * 1000)
            items.append(#"{"ts":"\#(t)","value":\#(i)}"#)
            expected.insert("\(t)")
        }
        try publisher.publish(topic: "test/l1/s1", payload: "[" + items.joined(separator: ",") + "]", qos: 1, retain: false)
        try publisher.flush(timeout: .seconds(30))
        publisher.disconnect()
        #expect(eventually(timeout: 30) { daemon.log.contains("cannot write the storage head") }, "the pipeline never wedged: \(daemon.log.suffix(2000))")
        let began = Date()
        let status = daemon.stop()
        let took = Date().timeIntervalSince(began)
        #expect(status == 1)
        #expect(took < 10, "stop took \(took) s")
        #expect(daemon.log.contains("stop did not finish within daemon.stop_timeout_s"))
        print("bounded stop: exit \(status) after \(String(format: "%.1f", took)) s (stop_timeout_s = 3)")

        disk.free()
        try daemon.start()
        #expect(eventually(timeout: 60) { daemon.log.contains("tinsense running") })
        #expect(daemon.stop() == 0, "\(daemon.log.suffix(2000))")
        let export = try runTinsense(["export", "--data", data, "--format", "csv"])
        let rows = export.out.split(separator: "\n").dropFirst()
        let header = export.out.split(separator: "\n").first.map { $0.split(separator: ",").map(String.init) } ?? []
        let t = header.firstIndex(of: "source_time") ?? 0
        let stored = rows.map { String($0.split(separator: ",", omittingEmptySubsequences: false)[t]) }
        #expect(stored.count == 4000 && Set(stored) == expected, "stored \(stored.count) of 4000; export: \(export.err.prefix(500)); log: \(daemon.log.suffix(3000))")
    }

    @Test("a broker that grants QoS 0 where QoS 1 was asked: the daemon exits non-zero naming the filter and the grant")
    func downgradedSubscriptionStops() throws {
        let broker = try MosquittoBroker()
        let conf = broker.directory.file("mosquitto.conf")
        try (try String(contentsOfFile: conf, encoding: .utf8) + "\nmax_qos 0\n").write(toFile: conf, atomically: true, encoding: .utf8)
        try broker.start()
        let dir = TemporaryDirectory("qos0")
        let data = dir.file("data")
        // No status topic: its last will is QoS 1, and a max_qos 0 mosquitto 2.0.11 drops a
        // CONNECT with a QoS 1 will before any SUBSCRIBE (seen: "connection lost", forever).
        let configPath = try Self.config(dir, name: "qos0", broker: broker, data: data)
        let text = try String(contentsOfFile: configPath, encoding: .utf8).replacingOccurrences(of: "status_topic = \"tinsense/qos0/status\"\n", with: "")
        try text.write(toFile: configPath, atomically: true, encoding: .utf8)
        let daemon = DaemonProcess(configPath: configPath, dataDirectory: data, broker: broker.url, logPath: dir.file("qos0.log"))
        try daemon.start()
        #expect(eventually(timeout: 20) { !daemon.isRunning }, "the daemon kept running with a QoS 0 subscription")
        let status = daemon.stop()
        #expect(status == 1)
        #expect(daemon.log.contains(#"granted QoS 0 for "test/#" where QoS 1 was asked"#), "\(daemon.log.suffix(1500))")
    }

    @Test("a broker that drops our CONNECT before any CONNACK (max_qos 0 and a QoS 1 will) is a refusal: exit 1 naming it, not deaf reconnects")
    func connectDroppedBeforeConnack() throws {
        let broker = try MosquittoBroker()
        let conf = broker.directory.file("mosquitto.conf")
        try (try String(contentsOfFile: conf, encoding: .utf8) + "\nmax_qos 0\n").write(toFile: conf, atomically: true, encoding: .utf8)
        try broker.start()
        let dir = TemporaryDirectory("qos0will")
        let data = dir.file("data")
        // The status topic stays: its QoS 1 `offline` will is what the listener refuses.
        let configPath = try Self.config(dir, name: "qos0will", broker: broker, data: data)
        let text = try String(contentsOfFile: configPath, encoding: .utf8) + "\n"
        try text.replacingOccurrences(of: "[mqtt]\n", with: "[mqtt]\nrefusals_before_exit = 3\n").write(toFile: configPath, atomically: true, encoding: .utf8)
        let daemon = DaemonProcess(configPath: configPath, dataDirectory: data, broker: broker.url, logPath: dir.file("qos0will.log"))
        try daemon.start()
        #expect(eventually(timeout: 60) { !daemon.isRunning }, "the daemon kept reconnecting: \(daemon.log.suffix(1500))")
        #expect(daemon.stop() == 1)
        #expect(daemon.log.contains("closed the connection before answering the CONNECT"), "\(daemon.log.suffix(1500))")
    }
}

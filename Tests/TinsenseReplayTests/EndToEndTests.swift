import Foundation
import Logging
import Testing
import TinsenseCore
import TinsenseMQTT
import TinsenseReplay
import TinsenseStorage
import TinsenseTestSupport

/// The real `tinsense` executable, a real mosquitto: record across a kill -9, and a daemon's
/// recording replayed into a second daemon.
@Suite("record and replay end to end", .serialized)
struct EndToEndTests {
    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    @Test("tinsense record killed with -9 mid-stream loses no acknowledged QoS 1 message: after a restart every published one is recorded")
    func recordSurvivesKill9() throws {
        let broker = try MosquittoBroker()
        try broker.start()
        defer { broker.stop() }
        let dir = TemporaryDirectory("record-kill")
        let out = dir.file("rec")
        let arguments = ["record", "--broker", broker.url, "--topic", "kl/#", "--out", out, "--fsync-ms", "50", "--client-id", "rec-kill-\(getpid())"]
        func startRecorder(_ run: Int) throws -> ChildProcess {
            let p = try ChildProcess(DaemonProcess.executable, arguments, outputPath: dir.file("rec.\(run).log"), errorPath: dir.file("rec.\(run).err"))
            // Subscribed once the broker has seen the client (its session exists from then on).
            _ = eventually(timeout: 10) { broker.log.components(separatedBy: "as rec-kill-\(getpid())").count > run }
            Thread.sleep(forTimeInterval: 0.5)
            return p
        }
        var recorder = try startRecorder(1)
        let publisher = try MQTTPublisher(broker: try BrokerURL(parsing: broker.url), clientID: "rec-kill-pub-\(getpid())", logger: quietLogger)
        try publisher.connect(timeout: .seconds(10))
        let total = 4000
        var published: [String] = []
        for k in 0..<total {
            let payload = "message \(k)"
            try publisher.publish(topic: "kl/s\(k % 20)", payload: payload, qos: 1, retain: false)
            published.append(payload)
            if k == 1500 {
                try publisher.flush(timeout: .seconds(30))
                recorder.signal(SIGKILL)
                recorder.wait()
            }
            if k % 200 == 0 { usleep(5_000) }
        }
        try publisher.flush(timeout: .seconds(30))
        publisher.disconnect()
        recorder = try startRecorder(2)
        let recording = Recording(directory: out)
        func recordedPayloads() -> Set<String> {
            Set(((try? Array(recording.records())) ?? []).map { String(decoding: $0.payload, as: UTF8.self) })
        }
        #expect(eventually(timeout: 60, every: 0.5) { recordedPayloads().count >= total }, "recorded \(recordedPayloads().count) of \(total)")
        recorder.signal(SIGTERM)
        #expect(recorder.wait() == 0)
        let missing = Set(published).subtracting(recordedPayloads())
        #expect(missing.isEmpty, "\(missing.count) acknowledged messages missing, e.g. \(missing.prefix(3))")
    }

    @Test("a daemon's raw-stream recording replayed into a second daemon stores the same readings, and re-detection offline with the same settings raises the same alerts")
    func daemonToDaemon() throws {
        let broker = try MosquittoBroker()
        try broker.start()
        defer { broker.stop() }
        let dir = TemporaryDirectory("replay-e2e")
        let example = try String(contentsOf: EndToEndTests.repositoryRoot.appendingPathComponent("config/tinsense.toml"), encoding: .utf8)
        let config = example.replacingOccurrences(of: "stats_interval_s = 60", with: "stats_interval_s = 1")
            .replacingOccurrences(of: "[record]\nenabled = false", with: "[record]\nenabled = true")
        #expect(config.contains("[record]\nenabled = true"), "the example config has a [record] section to switch on")
        try config.write(toFile: dir.file("tinsense.toml"), atomically: true, encoding: .utf8)

        // Daemon A records what it receives.
        let a = DaemonProcess(configPath: dir.file("tinsense.toml"), dataDirectory: dir.file("a"), broker: broker.url, logPath: dir.file("a.log"))
        try a.start()
        #expect(try waitForOnline(broker))
        let sim = try runTinsense([
            "simulate", "--broker", broker.url, "--rate", "max", "--duration", "6m", "--start=-20m", "--seed", "5",
            "--faults", "spike:crusher01/vibration@3m+5s",
        ])
        #expect(sim.status == 0, "\(sim.err)")
        let published = Int(sim.out.split(separator: " ").dropFirst().first ?? "") ?? 0
        #expect(published > 5_000)
        #expect(a.waitUntilQuiet(minimum: published, timeout: 180), "daemon A saw \(a.messagesSeen) of \(published)")
        #expect(a.stop() == 0)
        let archive = dir.file("a/record")

        // Offline, same settings: the same alerts as A raised live.
        let detect = try runTinsense(["replay", "--recording", archive, "--detect", "--config", dir.file("tinsense.toml"),
                                      "--alerts", dir.file("offline.jsonl"), "--diff", dir.file("a/alerts.jsonl")])
        #expect(detect.status == 0, "\(detect.err)")
        // The live daemon's clock ran on after the last message, so its sensors went stale
        // before it stopped; the offline run's clock is the recording's and ends with it. Every
        // other alert is reproduced exactly.
        let changes = detect.out.split(separator: "\n").filter { !$0.hasPrefix("summary:") }
        #expect(changes.allSatisfy { $0.hasPrefix("gone ") && $0.hasSuffix("  stale  warning") }, "\(detect.out.prefix(2000))")
        #expect(detect.out.contains("summary: 0 new, \(changes.count) gone, 0 moved, "), "\(detect.out.suffix(300))")
        let offline = (try? String(contentsOfFile: dir.file("offline.jsonl"), encoding: .utf8)) ?? ""
        #expect(offline.contains(#""state":"firing","sensor":"crusher01/vibration""#), "the spike fires offline too")

        // Daemon B gets the recording re-published, as fast as the broker takes it.
        let b = DaemonProcess(configPath: dir.file("tinsense.toml"), dataDirectory: dir.file("b"), broker: broker.url, logPath: dir.file("b.log"))
        try b.start()
        #expect(try waitForOnline(broker))
        let replay = try runTinsense(["replay", "--recording", archive, "--publish", broker.url, "--speed", "max"])
        #expect(replay.status == 0, "\(replay.err)")
        #expect(replay.err.contains("sent \(published) messages"), "\(replay.err)")
        #expect(b.waitUntilQuiet(minimum: published, timeout: 180), "daemon B saw \(b.messagesSeen) of \(published)")
        #expect(b.stop() == 0)

        // Identical stored data: `tinsense export` of both, every field but the receive time
        // (B's own). A reading sent without a source time takes its receive time as source
        // time, and its rate check (quality) depends on that timing, so for those only the
        // sensor and value sequence can be the same.
        let exportA = try exported(dir.file("a")), exportB = try exported(dir.file("b"))
        #expect(exportA.timed.count >= published / 2)
        let onlyA = Set(exportA.timed).subtracting(exportB.timed), onlyB = Set(exportB.timed).subtracting(exportA.timed)
        #expect(exportA.timed.count == exportB.timed.count && onlyA.isEmpty && onlyB.isEmpty,
                "A \(exportA.timed.count) rows, B \(exportB.timed.count); only in A \(onlyA.count) e.g. \(onlyA.sorted().prefix(3)), only in B \(onlyB.count) e.g. \(onlyB.sorted().prefix(3))")
        // Each sensor's rows in the same order. Across sensors, export's order follows where
        // the head was sealed, which depends on each daemon's timing, not on the data. Readings
        // without a source time take their receive time, and two in one millisecond at
        // `--speed max` have no fixed order, so those are compared per sensor as a multiset.
        let perSensorA = bySensor(exportA.timed), perSensorB = bySensor(exportB.timed)
        #expect(perSensorA == perSensorB, "every sensor's rows in the same order")
        // Readings without a source time take their receive time as source time, so what each
        // daemon stores of them depends on its own timing: the rate-of-change check quarantines
        // or keeps them by receive-time gaps, and the delivery ledger judges a broker's
        // redelivery after a reconnect of A (kept in the recording, new to B). Seen in CI: one
        // such reading more in B, another time one more in A. (Until 2026-12-04 two of them in
        // one millisecond were also a `duplicate`: 10–21 of ~700 differed on a 2-core machine;
        // now each takes the next free millisecond, and 0 differed in three runs.) So these are
        // compared per sensor as multisets, allowing a difference of 1 % of them (at least 2);
        // the timed rows above are exact.
        var differing = 0
        let untimedA = bySensor(exportA.untimed), untimedB = bySensor(exportB.untimed)
        #expect(Set(untimedA.keys) == Set(untimedB.keys))
        for sensor in Set(untimedA.keys).union(untimedB.keys) {
            var remaining = Dictionary((untimedA[sensor] ?? []).map { ($0, 1) }, uniquingKeysWith: +)
            for row in untimedB[sensor] ?? [] {
                if let n = remaining[row], n > 0 { remaining[row] = n - 1 } else { differing += 1 }
            }
            differing += remaining.values.reduce(0, +)
        }
        #expect(differing <= max(2, exportA.untimed.count / 100),
                "\(exportA.untimed.count) vs \(exportB.untimed.count) readings without a source time; \(differing) differ")
    }

    /// Rows of `exported` grouped by their sensor (the text before the first `,` or `=`),
    /// each group in export order.
    private func bySensor(_ rows: [String]) -> [String: [String]] {
        Dictionary(grouping: rows) { row in String(row.prefix { $0 != "," && $0 != "=" }) }
    }

    /// `tinsense export --format jsonl` lines without the receive time: those with a source
    /// time whole, those without (flag `source_time_missing`) as sensor and value only.
    private func exported(_ data: String) throws -> (timed: [String], untimed: [String]) {
        let (status, out, err) = try runTinsense(["export", "--data", data, "--format", "jsonl"])
        guard status == 0 else { throw TestFailure("export failed (\(status)): \(err)") }
        var timed: [String] = [], untimed: [String] = []
        for line in out.split(separator: "\n") {
            guard let o = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { throw TestFailure("not JSON: \(line)") }
            let sensor = o["sensor"] as? String ?? "", value = "\(o["value"] ?? "")"
            if (o["flags"] as? [String] ?? []).contains("source_time_missing") {
                untimed.append(sensor + "=" + value)
            } else {
                timed.append([sensor, o["source_time"] as? String ?? "", value, "\(o["unit"] ?? "")", o["quality"] as? String ?? "", "\(o["flags"] ?? "")"].joined(separator: ","))
            }
        }
        return (timed, untimed)
    }

    private func waitForOnline(_ broker: MosquittoBroker) throws -> Bool {
        let dir = TemporaryDirectory("status")
        return eventually(timeout: 20, every: 0.3) {
            guard let p = try? ChildProcess("/usr/bin/mosquitto_sub", ["-h", "127.0.0.1", "-p", "\(broker.port)", "-t", "tinsense/pilot1/status", "-C", "1", "-W", "1"], outputPath: dir.file("out")) else { return false }
            p.wait()
            let text = (try? String(contentsOfFile: dir.file("out"), encoding: .utf8)) ?? ""
            try? FileManager.default.removeItem(atPath: dir.file("out"))
            return text.trimmingCharacters(in: .whitespacesAndNewlines) == "online"
        }
    }
}

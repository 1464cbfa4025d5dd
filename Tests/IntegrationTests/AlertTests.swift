import Foundation
import Testing
import TinsenseTestSupport

/// End to end: the simulator injects a fault into the example plant, the daemon scores it, and
/// the alert appears in the alert log and on the MQTT alert topic, then resolves.
@Suite("alerts through a real broker", .serialized)
struct AlertTests {
    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    @Test("a simulated spike fires an alert in the log and on MQTT, and it resolves after the fault")
    func spikeFiresAndResolves() throws {
        let broker = try MosquittoBroker()
        try broker.start()
        let dir = TemporaryDirectory("alerts")
        let example = try String(contentsOf: AlertTests.repositoryRoot.appendingPathComponent("config/tinsense.toml"), encoding: .utf8)
        try example.replacingOccurrences(of: "stats_interval_s = 60", with: "stats_interval_s = 1")
            .write(toFile: dir.file("tinsense.toml"), atomically: true, encoding: .utf8)
        let daemon = DaemonProcess(configPath: dir.file("tinsense.toml"), dataDirectory: dir.file("data"), broker: broker.url, logPath: dir.file("daemon.log"))
        try daemon.start()
        #expect(try waitForStatus(broker: broker, topic: "tinsense/pilot1/status", value: "online"))
        let subscriber = try ChildProcess("/usr/bin/mosquitto_sub", ["-h", "127.0.0.1", "-p", "\(broker.port)", "-t", "tinsense/pilot1/alerts/#", "-v"], outputPath: dir.file("mqtt-alerts.txt"))
        defer { subscriber.signal(SIGTERM); subscriber.wait() }

        let sim = try runTinsense([
            "simulate", "--broker", broker.url, "--rate", "max", "--duration", "8m", "--start=-20m", "--seed", "3",
            "--faults", "spike:crusher01/vibration@4m+5s", "--labels", dir.file("labels.csv"),
        ])
        #expect(sim.status == 0, "\(sim.err)")
        let published = Int(sim.out.split(separator: " ").dropFirst().first ?? "") ?? 0
        #expect(published > 10_000)
        #expect(daemon.waitUntilQuiet(minimum: published, timeout: 180), "daemon saw \(daemon.messagesSeen) of \(published)")
        #expect(daemon.stop() == 0)

        let lines = ((try? String(contentsOfFile: dir.file("data/alerts.jsonl"), encoding: .utf8)) ?? "").split(separator: "\n")
        let alerts = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(alerts.count == lines.count, "every alert line is one JSON object")
        // The spike's alert, not a `stale` one: on a loaded machine the simulator can start
        // after the sensor's stale_after_s, and that alert (no topic) is a true one too.
        let firing = alerts.first {
            $0["sensor"] as? String == "crusher01/vibration" && $0["state"] as? String == "firing" && $0["rule"] as? String != "stale"
        }
        #expect(firing != nil, "no firing alert for crusher01/vibration in \(lines.count) lines")
        if let id = firing?["alert_id"] as? String {
            #expect(alerts.contains { $0["alert_id"] as? String == id && $0["state"] as? String == "resolved" })
            #expect(firing?["topic"] as? String == "tinmine/pilot1/crushing/line1/crusher01/vibration_mm_s")
        }
        let mqtt = (try? String(contentsOfFile: dir.file("mqtt-alerts.txt"), encoding: .utf8)) ?? ""
        #expect(mqtt.contains("tinsense/pilot1/alerts/warning/crusher01/vibration {"), "MQTT copy missing: \(mqtt.prefix(500))")
    }
}

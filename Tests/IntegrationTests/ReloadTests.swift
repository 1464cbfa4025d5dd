#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import TinsenseCore
import TinsenseTestSupport

/// SIGHUP reloads of the real daemon (docs/SYSTEMD.md, "Reload"): a new range applies between
/// two messages with nothing lost or duplicated, an invalid file keeps the running config, and
/// unchanged sensors keep their detector state.
@Suite("config reload on SIGHUP", .serialized)
struct ReloadTests {
    /// The daemon's config: the bounded sensor with `boundedRange`, two scored sensors
    /// (`test/det/a`, `test/det/b`, whose entry gets `detB` appended), the catch-all last.
    static func config(_ plant: TestPlant, name: String, boundedRange: String = "[0, 100]", detB: String = "",
                       clientID: String? = nil, walMB: Int = 64) -> String {
        """
        [daemon]
        data_dir = "\(plant.directory.file("data"))"
        stats_interval_s = 1

        [mqtt]
        broker = "\(plant.broker.url)"
        client_id = "\(clientID ?? plant.clientID)"
        subscribe = ["test/#"]
        status_topic = "tinsense/\(name)/status"
        reconnect_min_s = 1
        reconnect_max_s = 2

        [storage]
        fsync_interval_ms = 50
        seal_interval_s = 3600
        wal_file_max_mb = \(walMB)

        [detection]
        detectors = ["zscore"]

        [[alert_rule]]
        name = "anomaly"
        threshold = 0.5
        resolve_threshold = 0.4
        pending_for_s = 0
        immediate_threshold = 0.7
        keep_firing_for_s = 1

        [[sensor]]
        topic = "test/bounded/{name}"
        id = "bounded/{name}"
        range = \(boundedRange)
        detectors = []
        stale_after_s = 0

        [[sensor]]
        topic = "test/det/a"
        id = "det/a"
        detectors = ["zscore"]
        params = { "zscore.min_samples" = "30", "zscore.window" = "60" }
        stale_after_s = 0

        [[sensor]]
        topic = "test/det/b"
        id = "det/b"
        detectors = ["zscore"]
        params = { "zscore.min_samples" = "30", "zscore.window" = "60" }
        stale_after_s = 0
        \(detB)

        [[sensor]]
        topic = "test/{line}/{sensor}"
        id = "{line}/{sensor}"
        detectors = []
        stale_after_s = 0
        """
    }

    static func write(_ text: String, _ plant: TestPlant) throws {
        try text.write(toFile: plant.daemon.configPath, atomically: true, encoding: .utf8)
    }

    static func monotonicMicroseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000 + UInt64(ts.tv_nsec) / 1000
    }

    /// Sends SIGHUP; returns the RELOADING=1 datagram and the READY=1 that followed it.
    static func reload(_ plant: TestPlant, _ socket: NotifySocket) throws -> (reloading: (at: Date, text: String), ready: (at: Date, text: String)) {
        let sent = Date()
        plant.daemon.signal(SIGHUP)
        let reloading = try #require(socket.waitFor("RELOADING=1", after: sent, timeout: 10), "no RELOADING=1: \(plant.daemon.log.suffix(1_500))")
        let ready = try #require(socket.waitFor("READY=1", after: reloading.at, timeout: 10), "no READY=1 after the reload")
        return (reloading, ready)
    }

    @Test("a new range applies on SIGHUP while publishing: RELOADING=1 with MONOTONIC_USEC, then READY=1; 0 lost, 0 duplicated")
    func rangeChangeUnderLoad() throws {
        let broker = try MosquittoBroker()
        try broker.start()
        let plant = try TestPlant(name: "reload", broker: broker)
        try ReloadTests.write(ReloadTests.config(plant, name: "reload"), plant)
        let socket = try NotifyWatchdogTests.watch(plant)
        try plant.daemon.start()
        _ = try #require(socket.waitFor("READY=1", timeout: 30))

        let load = try SteadyLoad(plant: plant, sensors: 50, count: 6_000, rate: 1_000)
        load.start()
        // Bounded readings 101, 102, …: out of range before the reload, in range after it.
        let bounded = try plant.publisher("bounded")
        let t0 = TestClock.anHourAgo
        var sentAt: [Date] = []
        var reloadTimes: (sent: Date, ready: Date)?
        var monotonic: (text: String, ours: UInt64)?
        for k in 0..<80 {
            if k == 30 {
                try ReloadTests.write(ReloadTests.config(plant, name: "reload", boundedRange: "[0, 200]"), plant)
                let sent = Date()
                let (reloading, ready) = try ReloadTests.reload(plant, socket)
                reloadTimes = (sent, ready.at)
                monotonic = (reloading.text, ReloadTests.monotonicMicroseconds())
            }
            let t = t0.adding(milliseconds: Int64(k) * 1000)
            try bounded.publish(topic: "test/bounded/b", payload: #"{"ts":"\#(t)","value":\#(101 + k)}"#, qos: 1, retain: false)
            sentAt.append(Date())
            Thread.sleep(forTimeInterval: 0.05)
        }
        try bounded.flush(timeout: .seconds(30))
        bounded.disconnect()
        try load.finish()
        #expect(plant.daemon.waitUntilQuiet(minimum: 6_080, timeout: 120))
        #expect(plant.daemon.stop() == 0)

        let (text, ours) = try #require(monotonic)
        let usec = text.split(separator: "\n").first { $0.hasPrefix("MONOTONIC_USEC=") }.flatMap { UInt64($0.dropFirst("MONOTONIC_USEC=".count)) }
        let theirs = try #require(usec, "no MONOTONIC_USEC in \(text)")
        #expect(theirs <= ours && ours - theirs < 10_000_000, "MONOTONIC_USEC=\(theirs) is not CLOCK_MONOTONIC (now \(ours))")
        #expect(plant.daemon.log.contains("SIGHUP: config reloaded"))

        let stored = try plant.exported()
        let lineRows = stored.filter { !$0.sensor.hasPrefix("bounded/") }
        #expect(lineRows.count == load.expected.count && Set(lineRows) == Set(load.expected), "\(difference(lineRows, load.expected))")
        let storedK = stored.filter { $0.sensor == "bounded/b" }.compactMap { Int($0.value) }.map { $0 - 101 }
        let quarantinedK = plant.quarantined().filter { $0["sensor"] as? String == "bounded/b" }.compactMap { line -> Int? in
            #expect(line["reason"] as? String == "out_of_range")
            guard let payload = line["payload"] as? String, let r = payload.range(of: #""value":"#) else { return nil }
            return Int(payload[r.upperBound...].prefix { $0.isNumber }).map { $0 - 101 }
        }
        #expect(storedK.count + quarantinedK.count == 80, "stored \(storedK.count) + quarantined \(quarantinedK.count) of 80")
        #expect(Set(storedK).union(quarantinedK) == Set(0..<80) && Set(storedK).isDisjoint(with: quarantinedK))
        let times = try #require(reloadTimes)
        let afterReady = (0..<80).filter { sentAt[$0] > times.ready }
        let wellBefore = (0..<80).filter { sentAt[$0] < times.sent.addingTimeInterval(-0.5) }
        #expect(afterReady.count >= 40 && Set(afterReady).isSubset(of: storedK), "readings sent after READY=1 were not all stored under the new range")
        #expect(wellBefore.count >= 20 && Set(wellBefore).isSubset(of: quarantinedK), "readings sent before the SIGHUP were not all refused under the old range")
    }

    @Test("an invalid new config is logged with FILE:LINE and the old one keeps working; restart-only changes are named and kept")
    func invalidConfigKeepsTheOld() throws {
        let broker = try MosquittoBroker()
        try broker.start()
        let plant = try TestPlant(name: "badreload", broker: broker)
        try ReloadTests.write(ReloadTests.config(plant, name: "badreload"), plant)
        let socket = try NotifyWatchdogTests.watch(plant)
        try plant.daemon.start()
        _ = try #require(socket.waitFor("READY=1", timeout: 30))

        let broken = ReloadTests.config(plant, name: "badreload", boundedRange: "[100, 0]")
        let line = try #require(broken.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.hasPrefix("range = [100, 0]") }) + 1
        try ReloadTests.write(broken, plant)
        _ = try ReloadTests.reload(plant, socket)
        #expect(eventually(timeout: 5) { plant.daemon.log.contains("invalid config") }, "\(plant.daemon.log.suffix(1_500))")
        let errorLine = plant.daemon.log.split(separator: "\n").first { $0.contains("invalid config") }.map(String.init) ?? ""
        #expect(errorLine.contains("\(plant.daemon.configPath):\(line):"), "no FILE:LINE in: \(errorLine)")

        let publisher = try plant.publisher()
        let t0 = TestClock.anHourAgo
        try publisher.publish(topic: "test/bounded/b", payload: #"{"ts":"\#(t0)","value":150}"#, qos: 1, retain: false)
        try publisher.publish(topic: "test/bounded/b", payload: #"{"ts":"\#(t0.adding(milliseconds: 1000))","value":50}"#, qos: 1, retain: false)
        try publisher.flush(timeout: .seconds(10))
        #expect(plant.daemon.waitUntilQuiet(minimum: 2, quiet: 1.5))
        #expect(plant.quarantined().contains { $0["sensor"] as? String == "bounded/b" && $0["reason"] as? String == "out_of_range" }, "the old range [0, 100] no longer applies")

        // A valid file with restart-only changes next to a reloadable one.
        try ReloadTests.write(ReloadTests.config(plant, name: "badreload", boundedRange: "[0, 200]", clientID: plant.clientID + "-new", walMB: 32), plant)
        _ = try ReloadTests.reload(plant, socket)
        #expect(eventually(timeout: 5) { plant.daemon.log.contains("SIGHUP: config reloaded") })
        #expect(plant.daemon.log.contains("mqtt.client_id changed but needs a restart"), "\(plant.daemon.log.suffix(1_500))")
        #expect(plant.daemon.log.contains("storage.wal_file_max_mb changed but needs a restart"))
        try publisher.publish(topic: "test/bounded/b", payload: #"{"ts":"\#(t0.adding(milliseconds: 2000))","value":150}"#, qos: 1, retain: false)
        try publisher.flush(timeout: .seconds(10))
        publisher.disconnect()
        #expect(plant.daemon.waitUntilQuiet(minimum: 3, quiet: 1.5))
        #expect(plant.daemon.stop() == 0)
        let values = try plant.exported().filter { $0.sensor == "bounded/b" }.map(\.value).sorted()
        #expect(values == ["150", "50"], "\(values)")
    }

    @Test("a warmed-up detector of an unchanged sensor keeps its state across a reload; a changed sensor's starts over")
    func detectorStateKept() throws {
        let broker = try MosquittoBroker()
        try broker.start()
        let plant = try TestPlant(name: "detreload", broker: broker)
        try ReloadTests.write(ReloadTests.config(plant, name: "detreload"), plant)
        let socket = try NotifyWatchdogTests.watch(plant)
        try plant.daemon.start()
        _ = try #require(socket.waitFor("READY=1", timeout: 30))

        let publisher = try plant.publisher()
        let t0 = TestClock.anHourAgo
        // 50 calm readings each: past zscore.min_samples = 30, both detectors score.
        for i in 0..<50 {
            let t = t0.adding(milliseconds: Int64(i) * 1000)
            let v = 10 + Double((i * 7) % 11 - 5) / 10
            for s in ["a", "b"] {
                try publisher.publish(topic: "test/det/\(s)", payload: #"{"ts":"\#(t)","value":\#(v)}"#, qos: 1, retain: false)
            }
        }
        try publisher.flush(timeout: .seconds(10))
        #expect(plant.daemon.waitUntilQuiet(minimum: 100, quiet: 1.5))

        // det/b's entry changes (a plausible window); det/a's does not.
        try ReloadTests.write(ReloadTests.config(plant, name: "detreload", detB: "plausible = [0, 5000]"), plant)
        _ = try ReloadTests.reload(plant, socket)
        #expect(eventually(timeout: 5) { plant.daemon.log.contains("SIGHUP: config reloaded") })
        let reloadLine = plant.daemon.log.split(separator: "\n").first { $0.contains("SIGHUP: config reloaded") }.map(String.init) ?? ""
        #expect(reloadLine.contains("detectors_kept=1") && reloadLine.contains("detectors_reset=1"), "\(reloadLine)")

        let spikeTime = t0.adding(milliseconds: 50_000)
        for s in ["a", "b"] {
            try publisher.publish(topic: "test/det/\(s)", payload: #"{"ts":"\#(spikeTime)","value":1000}"#, qos: 1, retain: false)
        }
        try publisher.flush(timeout: .seconds(10))
        publisher.disconnect()
        #expect(plant.daemon.waitUntilQuiet(minimum: 102, quiet: 1.5))
        #expect(plant.daemon.stop() == 0)
        let alerts = ((try? String(contentsOfFile: plant.directory.file("data") + "/alerts.jsonl", encoding: .utf8)) ?? "")
            .split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let firing = Set(alerts.filter { $0["state"] as? String == "firing" }.compactMap { $0["sensor"] as? String })
        #expect(firing.contains("det/a"), "the warm detector of det/a did not alert on the spike: \(alerts)")
        #expect(!firing.contains("det/b"), "det/b's detector was not reset (it alerted without warm-up)")
    }
}

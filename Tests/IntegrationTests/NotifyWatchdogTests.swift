import Foundation
import Testing
import TinsenseTestSupport

/// The real daemon under a notify socket the test owns, with WATCHDOG_USEC set as systemd sets
/// it: every message of the notify protocol, and a watchdog that stops when the pipeline is
/// really stuck (docs/SYSTEMD.md).
@Suite("systemd notify and watchdog", .serialized)
struct NotifyWatchdogTests {
    /// 1 s: the daemon pings every 0.5 s.
    static let watchdogMicroseconds = 1_000_000

    static func watch(_ plant: TestPlant) throws -> NotifySocket {
        let socket = try NotifySocket(name: plant.directory.file("notify.sock"))
        socket.startCollecting()
        plant.daemon.environment = ["NOTIFY_SOCKET": socket.name, "WATCHDOG_USEC": "\(watchdogMicroseconds)"]
        return socket
    }

    @Test("READY=1 after WAL recovery, STATUS= with broker and rates, WATCHDOG=1 idle and under load, STOPPING=1 at SIGTERM")
    func lifecycle() throws {
        let broker = try MosquittoBroker()
        try broker.start()
        let plant = try TestPlant(name: "notify", broker: broker)
        // A first run killed with readings still only in the WAL: the second run must replay
        // them before it says READY=1.
        try plant.daemon.start()
        #expect(try waitForStatus(broker: broker, topic: "tinsense/notify/status", value: "online"))
        let publisher = try plant.publisher("pre")
        let start = TestClock.anHourAgo.adding(milliseconds: -3_600_000)
        var before: [StoredRow] = []
        for i in 0..<300 {
            let t = start.adding(milliseconds: Int64(i) * 1000)
            try publisher.publish(topic: "test/pre/s\(i % 10)", payload: #"{"ts":"\#(t)","value":\#(i)}"#, qos: 1, retain: false)
            before.append(StoredRow(sensor: "pre/s\(i % 10)", sourceTime: t.description, value: "\(i)"))
        }
        try publisher.flush(timeout: .seconds(30))
        publisher.disconnect()
        #expect(plant.daemon.waitUntilQuiet(minimum: 300, quiet: 1.5))
        plant.daemon.kill9()

        let socket = try NotifyWatchdogTests.watch(plant)
        try plant.daemon.start()
        let ready = try #require(socket.waitFor("READY=1", timeout: 30), "no READY=1: \(plant.daemon.log.suffix(1_500))")
        #expect(plant.daemon.log.contains("replayed WAL after the last checkpoint"), "READY=1 came without a WAL replay")
        #expect(ready.text.contains("STATUS=ready; connected to mqtt://127.0.0.1:\(broker.port)"), "\(ready.text)")

        let idleFrom = Date()
        Thread.sleep(forTimeInterval: 3)
        let idlePings = socket.count("WATCHDOG=1", from: idleFrom)
        #expect(idlePings >= 4, "\(idlePings) pings in 3 s of idle (one per 0.5 s expected)")

        let load = try SteadyLoad(plant: plant, sensors: 20, count: 4_000, rate: 1_000)
        let loadFrom = Date()
        load.start()
        try load.finish()
        let loadPings = socket.count("WATCHDOG=1", from: loadFrom)
        #expect(loadPings >= 5, "\(loadPings) pings in \(Date().timeIntervalSince(loadFrom)) s of ingest")

        let status = socket.waitFor(after: loadFrom, timeout: 10) { $0.hasPrefix("STATUS=") && $0.contains("msg/s") }
        #expect(status?.text.contains("connected to mqtt://127.0.0.1:\(broker.port)") == true, "\(status?.text ?? "no periodic STATUS=")")

        // Everything the broker took must have reached the daemon before it is stopped.
        #expect(plant.daemon.waitUntilQuiet(minimum: 4_000, quiet: 1.5))
        let stopAt = Date()
        plant.daemon.signal(SIGTERM)
        #expect(socket.waitFor("STOPPING=1", after: stopAt, timeout: 10) != nil, "no STOPPING=1")
        #expect(plant.daemon.waitForExit(timeout: 30) == 0)
        let stored = try plant.exported()
        #expect(stored.count == before.count + load.expected.count && Set(stored) == Set(before + load.expected), "\(difference(stored, before + load.expected))")
    }

    @Test("WATCHDOG_PID naming another process: no pings", .timeLimit(.minutes(2)))
    func watchdogForAnotherProcess() throws {
        let broker = try MosquittoBroker()
        try broker.start()
        let plant = try TestPlant(name: "wpid", broker: broker)
        let socket = try NotifyWatchdogTests.watch(plant)
        plant.daemon.environment["WATCHDOG_PID"] = "1"
        try plant.daemon.start()
        let ready = try #require(socket.waitFor("READY=1", timeout: 30))
        Thread.sleep(forTimeInterval: 2)
        #expect(socket.count("WATCHDOG=1", from: ready.at) == 0)
        #expect(plant.daemon.stop() == 0)
    }

    @Test("the pings stop while the data directory's disk is full under load, and resume when it is freed",
          .enabled(if: SmallFileSystem.canMount, "mounting a tmpfs needs root (CI runs as root)"))
    func pingsStopWhenStuck() throws {
        let broker = try MosquittoBroker()
        try broker.start()
        let plant = try TestPlant(name: "wstuck", broker: broker)
        let fs = try SmallFileSystem(at: plant.directory.file("data"), megabytes: 32)
        defer {
            if plant.daemon.isRunning { plant.daemon.kill9() }
            fs.unmount()
        }
        let socket = try NotifyWatchdogTests.watch(plant)
        try plant.daemon.start()
        let ready = try #require(socket.waitFor("READY=1", timeout: 30))
        Thread.sleep(forTimeInterval: 1.5)
        #expect(socket.count("WATCHDOG=1", from: ready.at) >= 2)

        fs.fill()
        let load = try SteadyLoad(plant: plant, sensors: 50, count: 1_000 * 20, rate: 1_000)
        load.start()
        // The network thread now waits for the WAL: the pings must stop while it does.
        let stalled = try #require(socket.waitFor(timeout: 20) { $0.hasPrefix("STATUS=stalled") },
                                   "no stall reported: \(plant.daemon.log.suffix(1_500))")
        Thread.sleep(forTimeInterval: 3)
        let pingsWhileStuck = socket.count("WATCHDOG=1", from: stalled.at)
        #expect(pingsWhileStuck == 0, "\(pingsWhileStuck) pings in 3 s while stuck")
        let unhealthyLines = plant.daemon.log.split(separator: "\n").filter { $0.contains("watchdog: unhealthy") }.count
        #expect((1...3).contains(unhealthyLines), "\(unhealthyLines) 'unhealthy' lines: the why is logged when it changes, not at every check")

        fs.free()
        let resumed = socket.waitFor("WATCHDOG=1", after: Date(), timeout: 20)
        #expect(resumed != nil, "pings never resumed: \(plant.daemon.log.suffix(1_500))")
        try load.finish()
        #expect(plant.daemon.waitUntilQuiet(minimum: 1, timeout: 120))
        #expect(plant.daemon.stop() == 0)
        let stored = try plant.exported()
        #expect(Set(stored) == Set(load.expected) && stored.count == load.expected.count, "\(difference(stored, load.expected))")
    }

    @Test("the pings stop while the pipeline thread itself is stuck (its quarantine's disk full), and resume when it is freed",
          .enabled(if: SmallFileSystem.canMount, "mounting a tmpfs needs root (CI runs as root)"))
    func pingsStopWhenPipelineStuck() throws {
        let broker = try MosquittoBroker()
        try broker.start()
        let plant = try TestPlant(name: "pstuck", broker: broker)
        // Only the quarantine is on the small disk: the WAL takes every message, the pipeline
        // thread waits (DiskRetry) on the first rejected reading.
        let fs = try SmallFileSystem(at: plant.directory.file("data") + "/quarantine", megabytes: 1)
        defer {
            if plant.daemon.isRunning { plant.daemon.kill9() }
            fs.unmount()
        }
        let socket = try NotifyWatchdogTests.watch(plant)
        try plant.daemon.start()
        let ready = try #require(socket.waitFor("READY=1", timeout: 30), "\(plant.daemon.log.suffix(1_500))")
        Thread.sleep(forTimeInterval: 1.5)
        #expect(socket.count("WATCHDOG=1", from: ready.at) >= 2)

        fs.fill()
        let publisher = try plant.publisher()
        try publisher.publish(topic: "test/not/a/sensor", payload: "1", qos: 1, retain: false)
        try publisher.flush(timeout: .seconds(10))
        let stalled = try #require(socket.waitFor(timeout: 20) { $0.hasPrefix("STATUS=stalled: the pipeline thread made no progress") },
                                   "no stall reported: \(plant.daemon.log.suffix(1_500))")
        Thread.sleep(forTimeInterval: 3)
        #expect(socket.count("WATCHDOG=1", from: stalled.at) == 0)

        fs.free()
        #expect(socket.waitFor("WATCHDOG=1", after: Date(), timeout: 20) != nil, "pings never resumed: \(plant.daemon.log.suffix(1_500))")
        publisher.disconnect()
        #expect(plant.daemon.stop() == 0)
        #expect(plant.quarantined().contains { $0["topic"] as? String == "test/not/a/sensor" && $0["reason"] as? String == "unknown_sensor" })
    }
}

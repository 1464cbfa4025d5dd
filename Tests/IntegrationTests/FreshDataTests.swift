import Foundation
import Testing
import TinsenseCore
import TinsenseMQTT
import TinsenseTestSupport

/// `export` and `inspect` while the daemon ingests at full speed: they read the WAL tail
/// lock-free, and what they show is always a consistent prefix of what was published.
@Suite("fresh data while the daemon runs", .serialized)
struct FreshDataTests {
    @Test("export during full-speed ingest with seals shows each sensor's published prefix once, exactly; nothing is lost")
    func exportDuringIngest() throws {
        let broker = try MosquittoBroker()
        try broker.start()
        // A small head makes the daemon seal (and trim the WAL) many times while export reads.
        let plant = try TestPlant(name: "fresh", broker: broker, storage: "seal_interval_s = 3600\nhead_max_samples = 1000")
        try plant.daemon.start()
        #expect(try waitForStatus(broker: broker, topic: "tinsense/fresh/status", value: "online"))
        let plan = ReadingPlan(sensors: 40, perSensor: 500)
        let expected = (0..<plan.count).map { plan.message($0).row }
        let step = Dictionary(uniqueKeysWithValues: (0..<plan.count).map { (expected[$0], $0 / plan.sensors) })
        let publishing = BackgroundPublish(plant: plant, plan: plan)
        publishing.start()

        var snapshots = 0, sawFresh = 0, sawSealed = 0
        while !publishing.isDone || snapshots < 3 {
            let (rows, sources) = try exportRows(plant)
            snapshots += 1
            try checkPrefixes(rows, step: step, plan: plan, snapshot: snapshots)
            if sources.contains("wal") { sawFresh += 1 }
            if sources.contains("sealed") { sawSealed += 1 }
            if snapshots % 4 == 1 {
                let (status, out, err) = try runTinsense(["inspect", "--data", plant.directory.file("data"), "--config", plant.directory.file("tinsense.toml")])
                #expect(status == 0, "inspect: \(err)")
                #expect(out.contains("not sealed       "), "inspect counts the WAL tail: \(out)")
            }
        }
        try publishing.wait()
        #expect(sawFresh > 0, "some export saw readings not sealed yet (\(snapshots) snapshots)")
        #expect(sawSealed > 0, "some export saw sealed readings next to fresh ones")
        #expect(plant.daemon.waitUntilQuiet(minimum: plan.count))
        let (_, stats, _) = try runTinsense(["inspect", "--data", plant.directory.file("data"), "--sealed-only"])
        let segments = stats.split(separator: "\n").first { $0.hasPrefix("segments") }.flatMap { Int($0.split(separator: " ").last ?? "") }
        #expect((segments ?? 0) >= 5, "the daemon sealed many times while export read: \(segments ?? 0) segments")
        // Everything processed, the daemon still running: export shows all of it.
        let (live, liveSources) = try exportRows(plant)
        #expect(live.count == plan.count && Set(live) == Set(expected), "while running: \(difference(live, expected))")
        // Without a config the tail is not guessed at, and stderr says so (nothing is sealed
        // now: no new readings, seal_interval_s = 3600).
        let (bareStatus, bareOut, bareErr) = try runTinsense(["export", "--data", plant.directory.file("data")])
        #expect(bareStatus == 0)
        if liveSources.contains("wal") {
            #expect(bareErr.contains("after the last checkpoint (not sealed yet) are not shown: no config"), "\(bareErr)")
            #expect(bareOut.split(separator: "\n").count - 1 < plan.count)
        }
        // plot reads the same way: every line1 reading is in its panel while the daemon runs.
        let svg = plant.directory.file("line1.svg")
        let (plotStatus, _, plotErr) = try runTinsense(["plot", "--data", plant.directory.file("data"), "--config", plant.directory.file("tinsense.toml"),
                                                        "--sensor", "line1/*", "-o", svg])
        #expect(plotStatus == 0, "plot: \(plotErr)")
        let text = (try? String(contentsOfFile: svg, encoding: .utf8)) ?? ""
        let panels = text.components(separatedBy: "class=\"panel\"").count - 1
        let points = text.components(separatedBy: "data-points=\"").dropFirst().compactMap { Int($0.prefix { $0.isNumber }) }.reduce(0, +)
        #expect(panels == plan.sensors / 5 && points == plan.count / 5, "\(panels) panels, \(points) points")
        #expect(plant.daemon.stop() == 0)
        let (after, sources) = try exportRows(plant)
        #expect(after.count == plan.count && Set(after) == Set(expected), "after stop: \(difference(after, expected))")
        #expect(sources == ["sealed"], "after a clean stop everything is sealed")
        #expect(plant.quarantined().isEmpty)
    }

    /// `export --source` rows and the set of sources seen.
    func exportRows(_ plant: TestPlant) throws -> ([StoredRow], Set<String>) {
        let (status, out, err) = try runTinsense(["export", "--data", plant.directory.file("data"), "--config", plant.directory.file("tinsense.toml"),
                                                  "--format", "csv", "--source"])
        guard status == 0 else { throw TestFailure("export failed (\(status)): \(err)") }
        var lines = out.split(separator: "\n")
        guard lines.first == "sensor,source_time,receive_time,value,unit,quality,source" else { throw TestFailure("header: \(lines.first ?? "")") }
        lines.removeFirst()
        var sources = Set<String>()
        let rows = lines.map { line in
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            sources.insert(f[6])
            return StoredRow(sensor: f[0], sourceTime: f[1], value: f[3])
        }
        return (rows, sources)
    }

    /// No duplicates, nothing invented, and per sensor exactly the first k published readings.
    func checkPrefixes(_ rows: [StoredRow], step: [StoredRow: Int], plan: ReadingPlan, snapshot: Int) throws {
        #expect(Set(rows).count == rows.count, "snapshot \(snapshot): duplicates \(rows.count - Set(rows).count)")
        var steps: [String: [Int]] = [:]
        for r in rows {
            guard let k = step[r] else {
                Issue.record("snapshot \(snapshot): a row nobody published: \(r)")
                continue
            }
            steps[r.sensor, default: []].append(k)
        }
        for (sensor, ks) in steps {
            #expect(ks.sorted() == Array(0..<ks.count), "snapshot \(snapshot): \(sensor) is not a prefix: \(ks.sorted().prefix(20))…")
        }
    }
}

/// Publishes a plan at QoS 1 as fast as the broker takes it, on its own thread.
final class BackgroundPublish: @unchecked Sendable {
    private let plant: TestPlant
    private let plan: ReadingPlan
    private let lock = NSLock()
    private var done = false
    private var failure: (any Error)?
    private let finished = DispatchSemaphore(value: 0)

    init(plant: TestPlant, plan: ReadingPlan) {
        self.plant = plant
        self.plan = plan
    }

    func start() {
        Thread.detachNewThread { [self] in
            do {
                let publisher = try plant.publisher("fresh")
                for k in 0..<plan.count {
                    let m = plan.message(k)
                    try publisher.publish(topic: m.topic, payload: m.payload, qos: 1, retain: false)
                }
                try publisher.flush(timeout: .seconds(120))
                publisher.disconnect()
            } catch {
                lock.withLock { failure = error }
            }
            lock.withLock { done = true }
            finished.signal()
        }
    }

    var isDone: Bool { lock.withLock { done } }

    func wait() throws {
        finished.wait()
        if let failure = lock.withLock({ failure }) { throw failure }
    }
}

import Foundation
import Testing
import TinsenseCore
import TinsenseTestSupport

/// A data directory on a small tmpfs that fills up under load (docs/RELIABILITY.md, "Disk
/// full"; the long version is scripts/reliability/disk-full.sh). Needs root to mount; the
/// test is skipped, saying so, where mounting is not allowed.
@Suite("disk full", .serialized, .enabled(if: SmallFileSystem.canMount, "mounting a tmpfs needs root (CI runs as root)"))
struct DiskFullTests {
    @Test("disk full under load: no crash, a clear pause line, resumes by itself when space is freed, 0 lost, no descriptor leak, no damage")
    func fullThenFreed() throws {
        let broker = try MosquittoBroker()
        try broker.start()
        let plant = try TestPlant(name: "dfull", broker: broker)
        let data = plant.directory.file("data")
        let fs = try SmallFileSystem(at: data, megabytes: 32)
        defer {
            if plant.daemon.isRunning { plant.daemon.kill9() }
            fs.unmount()
        }
        try plant.daemon.start()
        try #require(try waitForStatus(broker: broker, topic: "tinsense/dfull/status", value: "online"), "daemon never came online")
        Thread.sleep(forTimeInterval: 1)
        let descriptorsBefore = plant.daemon.proc?.descriptorCount ?? 0
        let load = try SteadyLoad(plant: plant, count: 1_000 * 25, rate: 1_000)
        load.start()
        Thread.sleep(forTimeInterval: 2)
        fs.fill()
        let full = ReliabilityScale.pick(short: 8.0, long: 60.0)
        Thread.sleep(forTimeInterval: full)
        #expect(plant.daemon.isRunning, "the daemon died on a full disk: \(plant.daemon.log.suffix(2_000))")
        #expect(plant.daemon.log.contains("cannot write"), "no log line says ingestion paused")
        let descriptorsFull = plant.daemon.proc?.descriptorCount ?? 0
        fs.free()
        try load.finish()
        #expect(plant.daemon.waitUntilQuiet(minimum: 1, timeout: 300))
        #expect(plant.daemon.log.contains("writable again"), "no log line says ingestion resumed")
        let descriptorsAfter = plant.daemon.proc?.descriptorCount ?? 0
        #expect(descriptorsAfter <= descriptorsBefore + 2, "descriptors: \(descriptorsBefore) before, \(descriptorsFull) while full, \(descriptorsAfter) after")
        #expect(plant.daemon.stop() == 0)
        let verify = try runTinsense(["verify", "--data", data])
        #expect(verify.status == 0, "verify: \(verify.out) \(verify.err)")
        let stored = try plant.exported()
        let expected = load.expected
        #expect(stored.count == expected.count && Set(stored) == Set(expected), "\(difference(stored, expected))")
    }
}

import Foundation
import Testing
import TinsenseCore
import TinsenseTestSupport

/// The short kill loop of docs/RELIABILITY.md ("Kill loop"; the long one is
/// scripts/reliability/kill-loop.sh): under a steady QoS 1 load over 200 sensors the daemon is
/// stopped at seeded random moments and restarted each time; then what is stored equals what
/// was published, each reading once.
@Suite("kill loop", .serialized)
struct KillLoopTests {
    static let kills = ReliabilityScale.pick(short: 3, long: 20)
    static let rate = 5_000.0

    /// Runs the loop; returns (stored rows, expected rows, quarantine reasons, and what a
    /// subscriber that was never killed received, as rows without times).
    func loop(name: String, signal: Int32, shape: SteadyLoad.Shape) throws -> (stored: [StoredRow], expected: [StoredRow], reasons: [String: Int], delivered: [StoredRow]) {
        let broker = try MosquittoBroker()
        try broker.start()
        let plant = try TestPlant(name: name, broker: broker)
        try plant.daemon.start()
        try #require(try waitForStatus(broker: broker, topic: "tinsense/\(name)/status", value: "online"), "daemon never came online")
        // The broker's own output, seen by a QoS 1 subscriber nobody kills: the reference for
        // "each message stored once". It equals what was published unless the load's own
        // connection dropped and libmosquitto resent its in-flight publishes, which a broker
        // forwards again at QoS 1 (on a starved machine; a true duplicate at the source).
        let referencePath = plant.directory.file("reference.txt")
        let reference = try ChildProcess("/usr/bin/mosquitto_sub", [
            "-h", "127.0.0.1", "-p", "\(broker.port)", "-q", "1", "-t", "test/#", "-v",
        ], outputPath: referencePath)
        Thread.sleep(forTimeInterval: 0.5)
        // The load outlasts the kills, so the last run has messages to take.
        let load = try SteadyLoad(plant: plant, count: Int(KillLoopTests.rate) * (KillLoopTests.kills * 2 + 3), rate: KillLoopTests.rate, shape: shape)
        load.start()
        var rng = SplitMix64(seed: 7)
        for kill in 1...KillLoopTests.kills {
            Thread.sleep(forTimeInterval: 0.5 + rng.nextUnit() * 1.5)
            if signal == SIGKILL {
                plant.daemon.kill9()
            } else {
                plant.daemon.signal(signal)
                let status = plant.daemon.waitForExit(timeout: 30)
                #expect(status == 0, "stop \(kill): SIGTERM did not end the daemon with 0 within 30 s (status \(String(describing: status)))")
                if status == nil { plant.daemon.kill9() }
            }
            try plant.daemon.start()
        }
        try load.finish()
        #expect(plant.daemon.waitUntilQuiet(minimum: 1, timeout: 300), "the last run saw \(plant.daemon.messagesSeen) messages")
        #expect(plant.daemon.stop() == 0)
        var reasons: [String: Int] = [:]
        for line in plant.quarantined() { reasons[line["reason"] as? String ?? "?", default: 0] += 1 }
        func referenceRows() -> [StoredRow] {
            let text = (try? String(contentsOfFile: referencePath, encoding: .utf8)) ?? ""
            return text.split(separator: "\n").compactMap { line -> StoredRow? in
                guard let space = line.firstIndex(of: " "), line.hasPrefix("test/") else { return nil }
                let sensor = String(line[line.index(line.startIndex, offsetBy: 5)..<space])
                return StoredRow(sensor: sensor, sourceTime: "", value: String(line[line.index(after: space)...]))
            }
        }
        _ = eventually(timeout: 30, every: 0.2) { referenceRows().count >= load.count }
        reference.signal(SIGTERM)
        reference.wait()
        return (try plant.exported(), load.expected, reasons, referenceRows())
    }

    @Test("kill -9 at random moments under 5,000 msg/s over 200 sensors: 0 lost, 0 duplicated")
    func sigkill() throws {
        let (stored, expected, reasons, _) = try loop(name: "kloop9", signal: SIGKILL, shape: .timestamped)
        #expect(stored.count == expected.count && Set(stored) == Set(expected), "\(difference(stored, expected))")
        // What the broker redelivered after each crash is refused as a duplicate, never stored.
        #expect(Set(reasons.keys).isSubset(of: ["duplicate"]), "\(reasons)")
    }

    @Test("SIGTERM at random moments under load: each stop is clean and bounded, 0 lost, 0 duplicated")
    func sigterm() throws {
        let (stored, expected, reasons, _) = try loop(name: "kloopterm", signal: SIGTERM, shape: .timestamped)
        #expect(stored.count == expected.count && Set(stored) == Set(expected), "\(difference(stored, expected))")
        #expect(Set(reasons.keys).isSubset(of: ["duplicate"]), "\(reasons)")
    }

    @Test("kill -9 under a load of readings without a timestamp: each stored once")
    func sigkillBare() throws {
        let (stored, expected, _, delivered) = try loop(name: "kloopbare", signal: SIGKILL, shape: .bare)
        let got = withoutTimes(stored)
        // Finding 7: a timestamp-less reading redelivered by the broker (or replayed from the
        // WAL) would get a new receive time; the delivery ledger recognises the resend. So the
        // daemon stores each message the broker routed exactly once: the same multiset as the
        // never-killed subscriber received (the published set, unless the load resent).
        #expect(Set(got) == Set(expected), "lost: \(difference(got, expected))")
        #expect(delivered.count >= expected.count, "the reference subscriber saw \(delivered.count) of \(expected.count)")
        let multiset = { (rows: [StoredRow]) in Dictionary(rows.map { ($0, 1) }, uniquingKeysWith: +) }
        let times = multiset(got), routed = multiset(delivered)
        let extra = times.filter { $0.value != routed[$0.key, default: 0] }
        #expect(extra.isEmpty, "\(extra.count) rows stored a different number of times than the broker delivered them, e.g. \(extra.prefix(3).map { "\($0.key) ×\($0.value)" })")
        if delivered.count != expected.count { print("note: the load resent \(delivered.count - expected.count) messages (source duplicates)") }
    }
}

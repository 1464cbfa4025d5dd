import Foundation
import Testing
import TinsenseCore
import TinsenseMQTT
import TinsenseTestSupport

/// Hostile input through a real broker (docs/RELIABILITY.md, "Hostile input"): each kind of bad
/// message is quarantined with its reason code, good readings published right after it are
/// still stored (checked after every case), memory stays under a stated bound, and nothing is
/// written outside the data directory.
@Suite("hostile input", .serialized)
struct HostileInputTests {
    /// The bound on the daemon's peak resident memory through every case (debug build).
    static let rssBound = 512 << 20

    /// One daemon for a run of cases, with a counter of good readings sent so far.
    final class Run {
        let broker: MosquittoBroker
        let plant: TestPlant
        let publisher: MQTTPublisher
        var good: [StoredRow] = []
        var goodSent = 0
        var quarantinedBefore: [String: Int] = [:]
        /// Readings other than the good ones that cases expect stored.
        var storedBefore = 0

        init(_ name: String) throws {
            broker = try MosquittoBroker()
            try broker.start()
            plant = try TestPlant(name: name, broker: broker)
            try plant.daemon.start()
            guard try waitForStatus(broker: broker, topic: "tinsense/\(name)/status", value: "online") else {
                throw TestFailure("daemon did not come online: \(plant.daemon.log.suffix(2_000))")
            }
            publisher = try plant.publisher()
        }

        func publish(_ topic: String, _ payload: String) throws {
            try publisher.publish(topic: topic, payload: payload, qos: 1, retain: false)
        }

        func publish(_ topic: String, _ payload: [UInt8]) throws {
            try publisher.publish(topic: topic, payload: payload, qos: 1, retain: false)
        }

        /// Quarantine lines by reason.
        var reasons: [String: Int] {
            plant.quarantined().reduce(into: [:]) { $0[$1["reason"] as? String ?? "?", default: 0] += 1 }
        }

        /// After a case: three good readings must be stored, and the quarantine must have grown
        /// by `expected` (reason → count; a reason mapped to nil only has to appear). Returns
        /// the reasons that appeared.
        @discardableResult
        func check(_ name: String, expected: [String: Int?], alsoStored: Int = 0, timeout: TimeInterval = 30,
                   sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Int] {
            let t0 = TestClock.anHourAgo.adding(milliseconds: Int64(goodSent) * 1000)
            for i in 0..<3 {
                let t = t0.adding(milliseconds: Int64(i) * 1000)
                let value = "\(goodSent + i).5"
                try publish("test/good/g", #"{"ts":"\#(t)","value":\#(value)}"#)
                good.append(StoredRow(sensor: "good/g", sourceTime: t.description, value: value))
            }
            goodSent += 3
            storedBefore += alsoStored
            try publisher.flush(timeout: .seconds(60))
            let stored = eventually(timeout: timeout, every: 0.2) { plant.daemon.storedCount >= goodSent + storedBefore }
            #expect(stored, "\(name): good readings after it were not stored (\(plant.daemon.storedCount) of \(goodSent + storedBefore)); log tail: \(plant.daemon.log.suffix(1_500))",
                    sourceLocation: sourceLocation)
            #expect(plant.daemon.isRunning, "\(name): the daemon exited", sourceLocation: sourceLocation)
            var delta: [String: Int] = [:]
            _ = eventually(timeout: 5) {
                let now = reasons
                delta = now.merging(quarantinedBefore.mapValues { -$0 }, uniquingKeysWith: +).filter { $0.value != 0 }
                return expected.allSatisfy { key, want in
                    if let want { return delta[key] == want }
                    return (delta[key] ?? 0) > 0
                }
            }
            for (key, count) in expected {
                if let count {
                    #expect(delta[key] == count, "\(name): \(delta[key] ?? 0) quarantined as \(key), expected \(count); all: \(delta)", sourceLocation: sourceLocation)
                } else {
                    #expect((delta[key] ?? 0) > 0, "\(name): nothing quarantined as \(key); all: \(delta)", sourceLocation: sourceLocation)
                }
            }
            quarantinedBefore = reasons
            return delta
        }

        /// Stops the daemon and checks what holds for every run: every good reading stored,
        /// memory under the bound, no file written outside the data directory.
        func finish(sourceLocation: SourceLocation = #_sourceLocation) throws {
            let peak = plant.daemon.proc?.residentBytes.peak ?? 0
            print("hostile-input figures: \(plant.clientID): peak RSS \(peak >> 20) MB, \(plant.daemon.storedCount) stored, quarantined \(reasons)")
            #expect(peak < HostileInputTests.rssBound, "peak RSS \(peak >> 20) MB ≥ \(HostileInputTests.rssBound >> 20) MB", sourceLocation: sourceLocation)
            publisher.disconnect()
            // Bounded like systemd's TimeoutStopSec: a stuck daemon is reported, then killed.
            plant.daemon.signal(SIGTERM)
            let status = plant.daemon.waitForExit(timeout: 30)
            if status == nil { plant.daemon.kill9() }
            #expect(status == 0, "SIGTERM: exit status \(String(describing: status)) (nil = still running after 30 s)", sourceLocation: sourceLocation)
            let stored = Set(try plant.exported())
            #expect(Set(good).isSubset(of: stored), "good readings lost: \(difference(Array(stored), good))", sourceLocation: sourceLocation)
            // Only the config, the daemon's logs and the data directory are in the plant's directory.
            let top = Set((try? FileManager.default.contentsOfDirectory(atPath: plant.directory.path)) ?? [])
            #expect(top.allSatisfy { $0 == "data" || $0 == "tinsense.toml" || $0.hasPrefix("daemon.log") }, "unexpected files: \(top.sorted())", sourceLocation: sourceLocation)
        }
    }

    @Test("malformed, truncated, deeply nested, huge, NaN/Infinity, empty, invalid UTF-8, far-away times and duplicates: each quarantined, good readings go on")
    func payloads() throws {
        let run = try Run("hostile")
        let t = TestClock.anHourAgo
        try run.check("baseline", expected: [:])

        for p in [#"{"value":"#, #"{"ts":"2026-"#, "[1,2", #"{"value":1,,}"#, "}{", #"{"value":1}x"#, "\u{1}", #"{"value":--1}"#] {
            try run.publish("test/line1/a", p)
        }
        try run.check("malformed and truncated JSON", expected: ["malformed": 8])

        let depth = 20_000
        try run.publish("test/line1/a", String(repeating: "[", count: depth) + "1" + String(repeating: "]", count: depth))
        try run.publish("test/line1/a", String(repeating: #"{"value":"#, count: 5_000) + "1" + String(repeating: "}", count: 5_000))
        try run.publish("test/line1/a", String(repeating: "[", count: 60_000))
        try run.check("deep nesting", expected: ["malformed": nil])

        for p in ["1e400", "-1e400", "123456789012345678901234567890", "1" + String(repeating: "0", count: 5_000), #"{"value":1e-400}"#, "0.\(String(repeating: "0", count: 40))1"] {
            try run.publish("test/line1/a", p)
        }
        try run.check("huge numbers", expected: ["malformed": nil])

        for p in ["NaN", "-NaN", "Infinity", "-Infinity", #"{"value":NaN}"#, #"{"value":"Infinity"}"#, #"{"value":null}"#] {
            try run.publish("test/line1/a", p)
        }
        try run.check("NaN and Infinity spellings", expected: ["nan": 7])

        try run.publish("test/line1/a", "")
        try run.publish("test/line1/a", " ")
        try run.check("empty payloads", expected: ["malformed": 2])

        try run.publish("test/line1/a", [0xFF, 0xFE, 0x31])
        try run.publish("test/line1/a", Array(#"{"value":1,"ts":"\#(t)","unit":""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8))
        try run.publish("test/line1/a", Array("4".utf8) + [0xED, 0xA0, 0x80])
        try run.check("invalid UTF-8 in payloads", expected: ["malformed": nil])

        try run.publish("test/line1/a", #"{"value":1,"ts":"2100-01-01T00:00:00Z"}"#)
        try run.publish("test/line1/a", #"{"value":1,"ts":4102444800000}"#)
        try run.publish("test/line1/a", #"{"value":1,"ts":"1970-01-01T00:00:00Z"}"#)
        try run.publish("test/line1/a", #"{"value":1,"ts":1}"#)
        try run.publish("test/line1/a", #"{"value":1,"ts":-9000000000000}"#)
        try run.publish("test/line1/a", #"{"value":1,"ts":"9999-12-31T23:59:59.999Z"}"#)
        try run.check("far-future and far-past timestamps", expected: ["clock_skew": nil])

        let dup = t.adding(milliseconds: 500_000)
        for _ in 0..<3 { try run.publish("test/line1/dup", #"{"value":2.5,"ts":"\#(dup)"}"#) }
        try run.check("duplicates", expected: ["duplicate": 2])
        try run.finish()
    }

    @Test("topics with .., empty levels, control characters and invalid UTF-8: nothing outside the data directory, the stream goes on")
    func topics() throws {
        let run = try Run("htopic")
        let t = TestClock.anHourAgo.adding(milliseconds: 900_000)
        let payload = #"{"value":1,"ts":"\#(t)"}"#
        try run.publish("test/../..", payload)
        try run.publish("test/../etc", payload)
        try run.publish("test/line1/..", payload)
        try run.check("topics with ..", expected: [:])
        try run.publish("test//x", payload)
        try run.publish("test/line1/", payload)
        try run.publish("test/a/b/c", payload)
        try run.publish("/test/a/b", payload)
        try run.check("topics with empty and extra levels", expected: ["unknown_sensor": nil])
        // libmosquitto's client refuses to send control characters, invalid UTF-8 and NUL in a
        // topic (MQTT 3.1.1 §1.5.3); the raw client sends them anyway. Whatever the broker does
        // with them (pass them on or close that connection), the daemon must go on.
        let hostileTopics: [[UInt8]] = [
            Array("test/line1/a\u{1}b".utf8), Array("test/line1/tab\there".utf8), Array("test/line1/nl\nx".utf8),
            Array("test/line1/\u{7F}\u{9B}".utf8), Array("test/".utf8) + [0xFF] + Array("/a".utf8),
            Array("test/a/".utf8) + [0xC0, 0xAF], Array("test/line1/".utf8) + [0],
        ]
        for (i, topic) in hostileTopics.enumerated() {
            let raw = try RawMQTTClient(port: run.broker.port, clientID: "raw-\(getpid())-\(i)")
            _ = try? raw.publish(topic: topic, payload: Array(payload.utf8))
        }
        try run.check("control characters, invalid UTF-8 and NUL in topics", expected: [:])
        try run.finish()
    }

    @Test("a topic level of 64 KB: stored under its long id, the stream goes on")
    func hugeTopicLevel() throws {
        let run = try Run("hlevel")
        let t = TestClock.anHourAgo.adding(milliseconds: 900_000)
        try run.publish("test/line1/" + String(repeating: "x", count: 65_000), #"{"value":1,"ts":"\#(t)"}"#)
        // A legal MQTT topic (≤ 65,535 bytes) gives a sensor id a segment can hold, so it is stored.
        try run.check("a 64 KB topic level", expected: [:], alsoStored: 1, timeout: 15)
        try run.finish()
    }

    @Test("3 batches of 1,000 readings on one sensor, each with its own unit: quarantined or flagged, the stream goes on")
    func thousandsOfUnits() throws {
        let run = try Run("hunits")
        let t0 = TestClock.anHourAgo.adding(milliseconds: 1_000_000)
        for b in 0..<3 {
            let items = (0..<1_000).map { i in
                #"{"value":\#(i),"ts":"\#(t0.adding(milliseconds: Int64(b * 1_000 + i) * 10))","unit":"SN\#(b)-\#(i)"}"#
            }
            try run.publish("test/line1/serial", "[" + items.joined(separator: ",") + "]")
        }
        // Finding 1 (it used to stop all ingestion for good): the first `max_units_per_series`
        // (16) units are stored, every later one is quarantined as unit_limit, and the stream goes on.
        try run.check("thousands of distinct units", expected: ["unit_limit": 3_000 - 16], alsoStored: 16, timeout: 60)
        try run.finish()
    }

    @Test("a flood of new topics: each stored or quarantined as series_limit, memory under the bound")
    func topicFlood() throws {
        let run = try Run("hflood")
        let n = ReliabilityScale.pick(short: 5_000, long: 50_000)
        let t = TestClock.anHourAgo.adding(milliseconds: 1_200_000)
        for i in 0..<n {
            try run.publish("test/flood/f\(i)", #"{"value":\#(i),"ts":"\#(t)"}"#)
        }
        // Without a max_series below n all are stored; with one, the rest is series_limit.
        let delta = try run.check("a flood of \(n) new topics", expected: [:], alsoStored: n, timeout: 300)
        #expect(Set(delta.keys).isSubset(of: ["series_limit"]), "\(delta)")
        try run.finish()
    }

    @Test("a 20 MB payload: quarantined as too_large and acknowledged, the stream goes on")
    func twentyMegabytes() throws {
        let run = try Run("hlarge")
        try run.publish("test/line1/a", [UInt8](repeating: UInt8(ascii: "7"), count: 20_000_010))
        // Finding 2 (it used to wedge the network thread): the WAL keeps a bounded prefix, the
        // quarantine says too_large with the true size, the message is acknowledged.
        try run.check("a 20 MB payload", expected: ["too_large": 1], timeout: 60)
        try run.finish()
    }
}

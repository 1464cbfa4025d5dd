import Foundation
import Logging
import Testing
import TinsenseMQTT
import TinsenseTestSupport

/// What the daemon leaves on disk and on stderr: no file it creates is readable by others,
/// whatever the umask; its log lines suit a terminal (timestamped) or the journal (no
/// timestamp, a syslog priority) depending on `$JOURNAL_STREAM`; `--log-level` overrides the
/// config's level.
@Suite("file modes and log layout", .serialized)
struct FileModeAndLogTests {
    /// Every file and directory under `root`, with its permission bits.
    static func modes(under root: String) -> [(path: String, mode: mode_t)] {
        var out: [(String, mode_t)] = []
        guard let walker = FileManager.default.enumerator(atPath: root) else { return [] }
        for case let relative as String in walker {
            var st = stat()
            if lstat(root + "/" + relative, &st) == 0 { out.append((relative, st.st_mode & 0o7777)) }
        }
        return out
    }

    @Test("under umask 000 no file or directory the daemon creates (WAL, segments, checkpoint, quarantine, alert log, LOCK) is accessible by others")
    func createdFilesNotWorldReadable() throws {
        let broker = try MosquittoBroker()
        try broker.start()
        let plant = try TestPlant(name: "umask", broker: broker)
        plant.daemon.umask = "000"
        try plant.daemon.start()
        try #require(try waitForStatus(broker: broker, topic: "tinsense/umask/status", value: "online"), "daemon never came online")
        let publisher = try plant.publisher()
        let plan = ReadingPlan(sensors: 3, perSensor: 5)
        for k in 0..<plan.count {
            let m = plan.message(k)
            try publisher.publish(topic: m.topic, payload: m.payload, qos: 1, retain: false)
        }
        try publisher.publish(topic: "test/bounded/x", payload: #"{"value":1000}"#, qos: 1, retain: false)
        try publisher.flush(timeout: .seconds(10))
        publisher.disconnect()
        #expect(plant.daemon.waitUntilQuiet(minimum: plan.count + 1, quiet: 1, timeout: 30))
        #expect(plant.daemon.stop() == 0)

        let data = plant.directory.file("data")
        let entries = FileModeAndLogTests.modes(under: data)
        let names = Set(entries.map { ($0.path as NSString).lastPathComponent })
        for expected in ["LOCK", "alerts.jsonl", "quarantine.jsonl", "segments", "wal"] {
            #expect(names.contains(expected), "\(expected) was not created; found \(names.sorted())")
        }
        #expect(entries.contains { $0.path.hasSuffix(".seg") }, "no segment was sealed: \(names.sorted())")
        let open = entries.filter { $0.mode & 0o007 != 0 }
        #expect(open.isEmpty, "accessible by others: \(open.map { "\($0.path) \(String($0.mode, radix: 8))" })")
    }

    @Test("with $JOURNAL_STREAM naming stderr: no timestamp, a <priority> prefix; without: timestamped lines; --log-level debug overrides daemon.log_level = info")
    func journalAndTerminalLayouts() throws {
        let broker = try MosquittoBroker()
        try broker.start()
        let plant = try TestPlant(name: "journal", broker: broker)

        // Run 1: stderr is the file JOURNAL_STREAM names, as systemd sets it up.
        let logFile = plant.daemon.nextLogPath
        _ = FileManager.default.createFile(atPath: logFile, contents: nil)
        var st = stat()
        try #require(stat(logFile, &st) == 0)
        plant.daemon.environment = ["JOURNAL_STREAM": "\(st.st_dev):\(st.st_ino)"]
        plant.daemon.extraArguments = ["--log-level", "debug"]
        try plant.daemon.start()
        #expect(eventually(timeout: 20) { plant.daemon.log.contains("connected to broker") })
        #expect(plant.daemon.stop() == 0)
        let journal = plant.daemon.log.split(separator: "\n")
        #expect(!journal.isEmpty)
        let unprefixed = journal.filter { $0.range(of: #"^<[0-7]>(trace|debug|info|notice|warning|error|critical) "#, options: .regularExpression) == nil }
        #expect(unprefixed.isEmpty, "lines without a priority prefix: \(unprefixed.prefix(3))")
        #expect(journal.contains { $0.hasPrefix("<6>info tinsense:") && $0.hasSuffix("tinsense running") })
        #expect(journal.contains { $0.hasPrefix("<7>debug ") }, "--log-level debug should show debug lines")
        #expect(!journal.contains { $0.range(of: #"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d"#, options: .regularExpression) != nil && $0.contains("tinsense running") })

        // Run 2: the variable names another file (a redirected stderr): timestamps, config level.
        plant.daemon.environment = ["JOURNAL_STREAM": "1:1"]
        plant.daemon.extraArguments = []
        try plant.daemon.start()
        #expect(eventually(timeout: 20) { plant.daemon.log.contains("connected to broker") })
        #expect(plant.daemon.stop() == 0)
        let terminal = plant.daemon.log.split(separator: "\n")
        let untimed = terminal.filter { $0.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4} "#, options: .regularExpression) == nil }
        #expect(untimed.isEmpty, "lines without a timestamp: \(untimed.prefix(3))")
        #expect(!terminal.contains { $0.contains(" debug ") && $0.contains("libmosquitto") }, "log_level = info hides debug lines")
    }

    @Test("--log-level rejects an unknown level (exit 2)")
    func unknownLogLevel() throws {
        let r = try runTinsense(["run", "--config", "/nonexistent.toml", "--log-level", "loud"])
        #expect(r.status == 2)
        #expect(r.err.contains("--log-level"), "\(r.err)")
    }
}

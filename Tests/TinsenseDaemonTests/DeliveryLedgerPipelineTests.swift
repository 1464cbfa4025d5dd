import Foundation
import Testing
import TinsenseConfig
import TinsenseCore
import TinsenseDecode
import TinsenseStorage
import TinsenseTestSupport
import TinsenseValidate
@testable import TinsenseDaemon

/// One daemon run on a data directory, wired as `Daemon.run` wires it (WAL, segment store,
/// delivery ledger restored from `segments/deliveries` and the WAL, replay), without MQTT:
/// the test plays the broker by calling `receive`.
private final class DaemonRun {
    let directory: String
    let wal: WriteAheadLog
    let store: SegmentStore
    let quarantine: QuarantineLog
    let pipeline: Pipeline

    init(_ directory: String) throws {
        self.directory = directory
        let config = try ConfigLoader.parse("""
        [daemon]
        data_dir = "\(directory)"
        [[sensor]]
        topic = "plant/{s}"
        id = "{s}"
        stale_after_s = 0
        """, file: "test.toml")
        wal = try WriteAheadLog(directory: directory, logger: quietLogger)
        store = try SegmentStore(directory: directory, wal: wal, logger: quietLogger)
        quarantine = try QuarantineLog(dataDirectory: directory, logger: quietLogger)
        let validator = Validator(catalog: SensorCatalog(specs: config.sensorSpecs), policy: config.validationPolicy, start: Timestamp(millisecondsSinceEpoch: 0))
        pipeline = Pipeline(validator: validator, store: store, quarantine: quarantine, limits: DecodeLimits(), detection: nil, logger: quietLogger)
        let segments = directory + "/segments"
        let admission = MessageAdmission(
            ledger: try MessageAdmission.restoredLedger(segmentsDirectory: segments, wal: wal, checkpoint: store.checkpoint, maxTopics: 1_000),
            maxPayloadBytes: 65_536
        )
        pipeline.admission = admission
        store.willTrimWAL = { try admission.persist(at: $0, segmentsDirectory: segments) }
        var reader = try wal.records(from: pipeline.processedThrough)
        while let e = reader.next() { pipeline.process(IngestedMessage(entry: e)) }
    }

    /// What `IngestSink.receive` does: WAL first, then the pipeline.
    func receive(_ payload: String, topic: String = "plant/a", packetID: UInt16, connection: UInt32, retained: Bool = false, at ms: Int64) throws {
        let record = WALRecord(
            receiveTime: Timestamp(millisecondsSinceEpoch: ms), qos: 1, topic: Array(topic.utf8), payload: Array(payload.utf8),
            retained: retained, packetID: packetID, connection: connection
        )
        let end = try wal.append(record)
        pipeline.process(IngestedMessage(record: record, walEnd: end))
    }

    /// A clean stop: seal, which persists the ledger and deletes the WAL behind the checkpoint.
    func stop() throws {
        try store.sealNow(processedThrough: pipeline.processedThrough, now: Timestamp(millisecondsSinceEpoch: 1_800_000_000_000))
        try wal.close()
        try quarantine.sync()
    }

    var storedInHead: Int { store.headSampleCount }

    var quarantineLines: [QuarantineEntry] {
        let text = (try? String(contentsOfFile: directory + "/quarantine/quarantine.jsonl", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { try? JSONDecoder().decode(QuarantineEntry.self, from: Data($0.utf8)) }
    }
}

private let t0: Int64 = 1_790_000_000_000

@Suite("delivery ledger in the pipeline (issue 9, finding 7)")
struct DeliveryLedgerPipelineTests {
    @Test("a QoS 1 message redelivered after a crash before the checkpoint is stored once; the same payload with a new packet id is stored")
    func redeliveryAfterCrash() throws {
        let dir = TemporaryDirectory("ledger")
        do {
            let run = try DaemonRun(dir.path)
            try run.receive("42", packetID: 7, connection: 100, at: t0)
            #expect(run.storedInHead == 1)
            // kill -9: no seal, no checkpoint; the broker never got the PUBACK.
        }
        let run = try DaemonRun(dir.path)
        #expect(run.storedInHead == 1, "replay stores the WAL record")
        try run.receive("42", packetID: 7, connection: 200, at: t0 + 5_000)
        #expect(run.storedInHead == 1, "the redelivery is not a second reading")
        try run.receive("42", packetID: 8, connection: 200, at: t0 + 6_000)
        #expect(run.storedInHead == 2, "a steady sensor repeating its value is new data")
        let q = run.quarantineLines
        #expect(q.count == 1)
        #expect(q.first?.reason == "duplicate")
        #expect(q.first?.detail.contains("packet id 7") == true)
    }

    @Test("redelivery is recognised after a seal deleted the WAL behind the checkpoint")
    func redeliveryAfterSeal() throws {
        let dir = TemporaryDirectory("ledger")
        do {
            let run = try DaemonRun(dir.path)
            try run.receive("42", packetID: 7, connection: 100, at: t0)
            try run.stop()
        }
        #expect(try WriteAheadLog.fileNumbers(in: dir.path + "/wal").count == 1, "only the new, empty WAL file is left")
        #expect(FileManager.default.fileExists(atPath: dir.path + "/segments/deliveries"))
        let run = try DaemonRun(dir.path)
        try run.receive("42", packetID: 7, connection: 200, at: t0 + 5_000)
        #expect(run.storedInHead == 0)
        #expect(run.quarantineLines.map(\.reason) == ["duplicate"])
    }

    @Test("within one connection the same packet id and payload are new data (ids wrap, nothing is resent)")
    func sameConnectionIsNeverARedelivery() throws {
        let dir = TemporaryDirectory("ledger")
        let run = try DaemonRun(dir.path)
        try run.receive("42", packetID: 7, connection: 100, at: t0)
        try run.receive("42", packetID: 7, connection: 100, at: t0 + 1_000)
        #expect(run.storedInHead == 2)
        #expect(run.quarantineLines.isEmpty)
    }

    @Test("a retained value resent on every subscribe is stored once, across runs; a changed retained value is stored")
    func retainedRepeats() throws {
        let dir = TemporaryDirectory("ledger")
        for (k, connection) in [UInt32(1), 2, 3].enumerated() {
            let run = try DaemonRun(dir.path)
            try run.receive("42", topic: "plant/r", packetID: 1, connection: connection, retained: true, at: t0 + Int64(k) * 60_000)
            if k < 2 { try run.stop() }
        }
        // The third run was killed; the fourth replays its WAL record, then gets the resend.
        let run = try DaemonRun(dir.path)
        try run.receive("42", topic: "plant/r", packetID: 1, connection: 4, retained: true, at: t0 + 180_000)
        try run.receive("43", topic: "plant/r", packetID: 1, connection: 5, retained: true, at: t0 + 240_000)
        try run.stop()
        let stored = try Array(sequence(state: DataDirectory(path: dir.path).readings()) { $0.next() })
        #expect(stored.map(\.value.description) == ["42", "43"])
        #expect(run.quarantineLines.allSatisfy { $0.reason == "duplicate" && $0.detail.contains("retained") })
        #expect(run.quarantineLines.count == 3)
    }
}

import Foundation
import Testing
import TinsenseConfig
import TinsenseCore
import TinsenseDecode
import TinsenseStorage
import TinsenseTestSupport
import TinsenseValidate
@testable import TinsenseDaemon

/// A daemon's data directory built by hand: the real WAL, segment store and pipeline, with
/// messages appended and processed as the daemon does, so the WAL tail can be read while the
/// "daemon" still holds it open.
private final class LiveDirectory {
    let dir = TemporaryDirectory("fresh")
    let config: Config
    let wal: WriteAheadLog
    let store: SegmentStore
    let pipeline: Pipeline
    private(set) var ends: [WALPosition] = []

    init() throws {
        config = try ConfigLoader.parse("""
        [daemon]
        data_dir = "\(dir.path)"
        [mqtt]
        broker = "mqtt://127.0.0.1:1883"
        subscribe = ["rel/#"]
        [[sensor]]
        topic = "rel/{a}/{b}"
        id = "{a}/{b}"
        range = [0, 100]
        """, file: "fresh.toml")
        wal = try WriteAheadLog(directory: dir.path, logger: quietLogger)
        store = try SegmentStore(directory: dir.path, wal: wal, logger: quietLogger)
        let quarantine = try QuarantineLog(dataDirectory: dir.path, logger: quietLogger)
        pipeline = Pipeline(validator: Validator(catalog: SensorCatalog(specs: config.sensorSpecs), policy: config.validationPolicy, start: pipelineT0),
                            store: store, quarantine: quarantine, limits: DecodeLimits(maxPayloadBytes: 1 << 20, maxBatch: 1000),
                            detection: nil, logger: quietLogger)
    }

    /// Reading k of sensor `line/t`: value k, one second apart.
    func publish(_ k: Int, value: String? = nil) throws {
        let payload = #"{"ts":"\#(pipelineT0.adding(milliseconds: Int64(k) * 1000))","value":\#(value ?? "\(k)")}"#
        let record = WALRecord(receiveTime: pipelineT0.adding(milliseconds: Int64(k) * 1000), qos: 1, topic: Array("rel/line/t".utf8), payload: Array(payload.utf8))
        let end = try wal.append(record)
        ends.append(end)
        pipeline.process(IngestedMessage(record: record, walEnd: end))
    }

    var directory: DataDirectory { DataDirectory(path: dir.path) }
}

@Suite("fresh readings from the WAL tail")
struct FreshReadingsTests {
    @Test("readings after the checkpoint come from the WAL; those also sealed are shown once, as sealed")
    func dedupeAgainstSealed() throws {
        let live = try LiveDirectory()
        for k in 0..<10 { try live.publish(k) }
        // Seal all ten, but with the checkpoint after message 5 (a full head sealed mid-batch
        // leaves the checkpoint behind what the segment holds).
        try live.store.sealNow(processedThrough: live.ends[5], now: pipelineT0)
        for k in 10..<15 { try live.publish(k) }
        let fresh = try FreshReadings.read(directory: live.directory, config: live.config)
        #expect(fresh.readings.map(\.value.description) == (10..<15).map(String.init))
        #expect(fresh.duplicates == 4 && fresh.walRecords == 9 && fresh.damage.isEmpty)
        let cursor = try live.directory.readings(segmentFiles: fresh.sealed.segmentFiles)
        var merged = MergedReadings(sealed: cursor, fresh: fresh.readings)
        var all: [(String, ReadingSource)] = []
        while let (r, source) = merged.next() { all.append((r.value.description, source)) }
        #expect(all.map(\.0) == (0..<15).map(String.init))
        #expect(all.map(\.1) == Array(repeating: .sealed, count: 10) + Array(repeating: .wal, count: 5))
    }

    @Test("a record being written (torn tail of the newest file) ends the tail without damage")
    func tornTailIsTheLiveEnd() throws {
        let live = try LiveDirectory()
        for k in 0..<5 { try live.publish(k) }
        let end = try #require(live.ends.last)
        // Half of a record header and body, as a concurrent reader can see during write(2).
        let path = live.dir.path + "/wal/" + String(repeating: "0", count: 7) + "\(end.file).wal"
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data([40, 0, 0, 0, 0xAB, 0xCD, 0xEF, 0x01, 2, 3, 4]))
        try handle.close()
        let fresh = try FreshReadings.read(directory: live.directory, config: live.config)
        #expect(fresh.readings.count == 5 && fresh.damage.isEmpty)
        #expect(fresh.liveTailAt == end)
    }

    @Test("validation and the range rule apply as in the daemon: out-of-range values are refused, not shown")
    func validatedLikeTheDaemon() throws {
        let live = try LiveDirectory()
        try live.publish(0)
        try live.publish(1, value: "250")
        try live.publish(2, value: "\"oops\"")
        try live.publish(3)
        let fresh = try FreshReadings.read(directory: live.directory, config: live.config)
        #expect(fresh.readings.map(\.value.description) == ["0", "3"])
        #expect(fresh.refused == 2)
    }

    @Test("a sensor pattern and a time range narrow the fresh readings like the sealed ones")
    func narrowed() throws {
        let live = try LiveDirectory()
        for k in 0..<6 { try live.publish(k) }
        let fresh = try FreshReadings.read(directory: live.directory, config: live.config, sensor: SensorPattern("line/*"),
                                           from: pipelineT0.adding(milliseconds: 2_000), to: pipelineT0.adding(milliseconds: 4_000))
        #expect(fresh.readings.map(\.value.description) == ["2", "3"])
        let none = try FreshReadings.read(directory: live.directory, config: live.config, sensor: SensorPattern("other/*"))
        #expect(none.readings.isEmpty && none.walRecords == 6)
    }
}

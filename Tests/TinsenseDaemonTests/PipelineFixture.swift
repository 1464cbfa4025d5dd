import Foundation
import Logging
import TinsenseCore
import TinsenseDecode
import TinsenseStorage
import TinsenseTestSupport
import TinsenseValidate
@testable import TinsenseDaemon

/// Receive times in these tests are around 2026-01-01T00:00:00Z.
let pipelineT0 = Timestamp(millisecondsSinceEpoch: 1_767_225_600_000)

/// `rel/{a}/{b}` with the unit taken from the payload: the configuration of issue 9, finding 1.
func relSpec() -> SensorSpec {
    SensorSpec(topic: try! TopicPattern("rel/{a}/{b}"), idTemplate: "{a}/{b}")
}

/// A real pipeline on real files in a scratch data directory: segment store, quarantine log,
/// validator; no broker and no detection.
final class PipelineFixture {
    let dir: TemporaryDirectory
    let store: SegmentStore
    let quarantine: QuarantineLog
    let pipeline: Pipeline
    private var nextOffset: UInt64 = 0

    init(policy: ValidationPolicy = ValidationPolicy(), dir: TemporaryDirectory = TemporaryDirectory("pipeline"),
         wal: WriteAheadLog? = nil, quarantine: QuarantineLog? = nil, detection: DetectionStage? = nil) throws {
        self.dir = dir
        store = try SegmentStore(directory: dir.path, wal: wal, logger: quietLogger)
        self.quarantine = try quarantine ?? QuarantineLog(dataDirectory: dir.path, logger: quietLogger)
        let validator = Validator(catalog: SensorCatalog(specs: [relSpec()]), policy: policy, start: pipelineT0)
        pipeline = Pipeline(
            validator: validator, store: store, quarantine: self.quarantine,
            limits: DecodeLimits(maxPayloadBytes: 1 << 20, maxBatch: 1000), detection: detection, logger: quietLogger
        )
    }

    /// Feeds one message as if it came out of the WAL (each at a new, increasing WAL position).
    func process(topic: String, payload: String, receive: Timestamp = pipelineT0) {
        nextOffset += UInt64(payload.utf8.count + 64)
        let record = WALRecord(receiveTime: receive, qos: 1, topic: Array(topic.utf8), payload: Array(payload.utf8))
        pipeline.process(IngestedMessage(record: record, walEnd: WALPosition(file: 1, offset: nextOffset)))
    }

    /// The quarantine's lines, parsed.
    func quarantineEntries() throws -> [QuarantineEntry] {
        try QuarantineFiles.entries(dataDirectory: dir.path)
    }
}

/// Reads every quarantine line of a data directory: the rotated files (oldest first) and then
/// the live one.
enum QuarantineFiles {
    static func entries(dataDirectory: String) throws -> [QuarantineEntry] {
        let live = dataDirectory + "/quarantine/quarantine.jsonl"
        var paths: [String] = []
        var i = 1
        while FileManager.default.fileExists(atPath: "\(live).\(i)") {
            paths.insert("\(live).\(i)", at: 0)
            i += 1
        }
        paths.append(live)
        let decoder = JSONDecoder()
        var out: [QuarantineEntry] = []
        for p in paths {
            let text = String(decoding: FileManager.default.contents(atPath: p) ?? Data(), as: UTF8.self)
            for line in text.split(separator: "\n") {
                out.append(try decoder.decode(QuarantineEntry.self, from: Data(line.utf8)))
            }
        }
        return out
    }
}

/// One JSON reading.
func readingJSON(value: Int, at t: Timestamp, unit: String? = nil) -> String {
    let u = unit.map { ",\"unit\":\"\($0)\"" } ?? ""
    return "{\"value\":\(value),\"ts\":\"\(t)\"\(u)}"
}

/// Runs `body` on its own thread and reports whether it ended within `seconds`: a test of
/// something that used to hang must fail, not hang. A body that overruns is left running.
func finishes(within seconds: Double, _ body: @escaping @Sendable () -> Void) -> Bool {
    let done = DispatchSemaphore(value: 0)
    let thread = Thread {
        body()
        done.signal()
    }
    thread.stackSize = 8 << 20
    thread.start()
    return done.wait(timeout: .now() + seconds) == .success
}

/// Lends a single-threaded object to the one thread `finishes` starts; the test reads it only
/// after that thread has signalled.
struct Lent<T>: @unchecked Sendable {
    let value: T
}

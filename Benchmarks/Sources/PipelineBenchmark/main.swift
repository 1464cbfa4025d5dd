// In-process benchmark of the ingest path (issue 13): decode, validate, detect, head append,
// seal, WAL append and the whole pipeline without MQTT, on the JSON payloads the end-to-end
// benchmark publishes (200 sensors). Readings per CPU second and heap allocations per reading
// for each stage, beside a baseline measured in the same run: what the C store subscriber of
// scripts/e2e-benchmark.sh does per message (copy the payload, `strtod` the value, append a
// 24-byte binary record).
//
//   TINSENSE_BENCH=1 swift build -c release --product PipelineBenchmark
//   .build/release/PipelineBenchmark [--messages 400000] [--sensors 200] [--shape compact|full] [--rounds 3]
//
// Why an executable of the main package (declared only when TINSENSE_BENCH is set) and not a
// target of Benchmarks/Package.swift: the stages are `package`-access, which another package
// cannot reach. Why an allocation counter of its own (CAllocCounter) and not
// ordo-one/benchmark: it needs no jemalloc and no plugin, and counts every allocation of the
// process exactly. Single-threaded on purpose: CPU time is the thread's own.
import CAllocCounter
import Glibc
import Logging
import TinsenseAlerts
import TinsenseConfig
import TinsenseCore
import TinsenseDaemon
import TinsenseDecode
import TinsenseDetect
import TinsenseStorage
import TinsenseValidate

// MARK: options

var messageCount = 400_000
var sensorCount = 200
var shape = "compact"
var rounds = 3
var only: Set<String> = []
var arguments = CommandLine.arguments.dropFirst()
while let a = arguments.popFirst() {
    guard let v = arguments.popFirst() else { print("missing value for \(a)"); exit(2) }
    switch a {
    case "--messages": messageCount = Int(v) ?? 0
    case "--sensors": sensorCount = Int(v) ?? 0
    case "--shape": shape = v
    case "--rounds": rounds = Int(v) ?? 0
    case "--only": only = Set(v.split(separator: ",").map(String.init))
    default:
        print("usage: PipelineBenchmark [--messages N] [--sensors N] [--shape compact|full] [--rounds N] [--only stage,stage]")
        exit(2)
    }
}
guard messageCount > 0, sensorCount > 0, rounds > 0, ["compact", "full"].contains(shape) else { print("bad arguments"); exit(2) }

// MARK: measuring

func threadCPUSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

struct Figure {
    var name: String
    var readings: Int
    var cpuSeconds: Double
    var allocations: UInt64
    var perSecond: Double { Double(readings) / cpuSeconds }
    var nsPerReading: Double { cpuSeconds * 1e9 / Double(readings) }
    var allocationsPerReading: Double { Double(allocations) / Double(readings) }
}

/// Runs `body` `rounds` times on fresh state made by `setup` (not timed) and keeps the round
/// with the least CPU time; allocations are those of that round.
@MainActor func measure<State>(_ name: String, readings: Int, setup: () throws -> State, _ body: (inout State) throws -> Int) rethrows -> Figure {
    var best: Figure?
    for _ in 0..<rounds {
        var state = try setup()
        let a0 = tinsense_alloc_count()
        let t0 = threadCPUSeconds()
        let checksum = try body(&state)
        let t1 = threadCPUSeconds()
        let a1 = tinsense_alloc_count()
        precondition(checksum >= 0)
        let f = Figure(name: name, readings: readings, cpuSeconds: t1 - t0, allocations: a1 - a0)
        if best.map({ f.cpuSeconds < $0.cpuSeconds }) ?? true { best = f }
        withExtendedLifetime(state) {}
    }
    return best!
}

/// `x` with `digits` decimals (vsnprintf: the harness links no Foundation, whose own
/// allocations would blur the counts).
func fixed(_ x: Double, _ digits: Int) -> String {
    var buffer = [CChar](repeating: 0, count: 64)
    _ = withVaList([x]) { vsnprintf(&buffer, 64, "%.\(digits)f", $0) }
    return cText(buffer)
}

/// A NUL-terminated C buffer's text.
func cText(_ buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

func padded(_ s: String, _ width: Int, left: Bool = false) -> String {
    let pad = String(repeating: " ", count: max(0, width - s.count))
    return left ? pad + s : s + pad
}

func report(_ f: Figure, baseline: Figure?) {
    let ratio = baseline.map { "  " + fixed(f.cpuSeconds / $0.cpuSeconds, 2) + "× the baseline's CPU per reading" } ?? ""
    print(padded(f.name, 40) + padded(fixed(f.perSecond / 1e6, 3), 8, left: true) + " M readings/s"
          + padded(fixed(f.nsPerReading, 1), 9, left: true) + " ns/reading"
          + padded(fixed(f.allocationsPerReading, 2), 7, left: true) + " allocations/reading" + ratio)
}

// MARK: the stream

/// The e2e generator's stream (Benchmarks/e2e/e2ebench.c): message i goes to sensor i % S on
/// `bench/line<s%8>/s<s>`, source time base + 100 ms × i, a random walk per sensor printed
/// with three decimals; received 5 ms after its source time. `full` is the simulator's shape
/// (RFC 3339 time, unit, quality).
struct Message {
    var topic: String
    var topicBytes: [UInt8]
    var payload: [UInt8]
    var receiveTime: Timestamp
}

var seed: UInt64 = 0x7469_6E73_656E_7365
@MainActor func nextRandom() -> Double {
    seed &+= 0x9E37_79B9_7F4A_7C15
    var z = seed
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    z ^= z >> 31
    return Double(z >> 11) / Double(1 << 53)
}

let base: Int64 = 1_795_000_000_000 // 2026-11-18
let topics = (0..<sensorCount).map { "bench/line\($0 % 8)/s\($0)" }
var levels = (0..<sensorCount).map { Double($0 % 50) * 10 + 100 }
let stream: [Message] = (0..<messageCount).map { i in
    let s = i % sensorCount
    levels[s] += (nextRandom() - 0.5) * 0.2
    let value = fixed(levels[s] + (nextRandom() - 0.5), 3)
    let ts = base + Int64(i) * 100
    let text = shape == "compact"
        ? "{\"ts\":\(ts),\"value\":\(value)}"
        : "{\"ts\":\"\(Timestamp(millisecondsSinceEpoch: ts))\",\"value\":\(value),\"unit\":\"kPa\",\"quality\":\"good\"}"
    return Message(topic: topics[s], topicBytes: Array(topics[s].utf8), payload: Array(text.utf8),
                   receiveTime: Timestamp(millisecondsSinceEpoch: ts + 5))
}

// MARK: the daemon's configuration (that of scripts/e2e-benchmark.sh)

let scratch: String = {
    var template = Array("/tmp/tinsense-pipeline-bench-XXXXXX".utf8CString)
    guard mkdtemp(&template) != nil else { print("cannot create a scratch directory"); exit(1) }
    return cText(template)
}()
let configText = """
[daemon]
data_dir = "\(scratch)/data"

[mqtt]
subscribe = ["bench/#"]

[detection]
enabled = true
detectors = ["default"]

[[alert_rule]]
name = "anomaly"
threshold = 0.5

[[sensor]]
topic = "bench/{line}/{sensor}"
id = "{line}/{sensor}"
stale_after_s = 0
"""
let config: Config
do { config = try ConfigLoader.parse(configText, file: "bench.toml") } catch { print("config: \(error)"); exit(1) }
let logger = Logger(label: "bench") { _ in SwiftLogNoOpLogHandler() }
let limits = DecodeLimits(maxPayloadBytes: config.validation.maxPayloadBytes, maxBatch: config.validation.maxBatch)
let start = Timestamp(millisecondsSinceEpoch: base)
var directoryNumber = 0
@MainActor func freshDirectory() -> String {
    directoryNumber += 1
    let d = "\(scratch)/run\(directoryNumber)"
    mkdir(d, 0o755)
    return d
}
/// Our own mkdtemp directory: nothing else lives there.
@MainActor func removeScratch() { _ = system("rm -rf '\(scratch)'") }

// Inputs of the later stages, made once by the earlier ones (not timed).
var decoder = MessageDecoder(limits: limits)
let items: [DecodedItem] = stream.map { m in
    guard case .items(let r) = decoder.decode(topic: m.topic, payload: m.payload, format: .json, receiveTime: m.receiveTime),
          case .success(let item) = r[0] else { fatalError("the benchmark's payload did not decode") }
    return item
}
var validatorForInputs = Validator(catalog: SensorCatalog(specs: config.sensorSpecs), policy: config.validationPolicy, start: start)
// Each reading with its sensor's validator slot, as the pipeline hands them to detection.
let validated: [(reading: Reading, slot: Int)] = zip(stream, items).map { m, item in
    guard case .accept(let r, _, _, let slot) = validatorForInputs.validate(topic: m.topic, item: item, receiveTime: m.receiveTime) else {
        fatalError("the benchmark's reading did not validate")
    }
    return (r, slot)
}
let readings = validated.map(\.reading)
let slots = validated.map(\.slot)
guard let detectorSpec = config.sensors[0].detection.spec else { print("detection is off in the config"); exit(1) }

print("PipelineBenchmark: \(messageCount) messages of one reading, \(sensorCount) sensors, shape \(shape) (e.g. \(String(decoding: stream[0].payload, as: UTF8.self))), best of \(rounds) rounds, CPU time of this thread")
@MainActor func wanted(_ stage: String) -> Bool { only.isEmpty || only.contains(stage) }

// MARK: baseline

let baseline = measure("baseline: copy + strtod + append", readings: messageCount, setup: { [UInt8](repeating: 0, count: 24 * messageCount) }) { out in
    var copy = [CChar](repeating: 0, count: 256)
    var at = 0
    for m in stream {
        let n = min(m.payload.count, 255)
        m.payload.withUnsafeBufferPointer { p in copy.withUnsafeMutableBufferPointer { c in
            memcpy(c.baseAddress!, p.baseAddress!, n)
            c[n] = 0
        } }
        // The value's field, as the C store subscriber finds it.
        let value: Double = copy.withUnsafeBufferPointer { c in
            guard let v = strstr(c.baseAddress!, "\"value\":") else { return .nan }
            return strtod(v + 8, nil)
        }
        var h: UInt64 = 14_695_981_039_346_656_037
        for b in m.topicBytes { h = (h ^ UInt64(b)) &* 1_099_511_628_211 }
        var record = (h, m.receiveTime.millisecondsSinceEpoch, value)
        withUnsafeBytes(of: &record) { r in out.withUnsafeMutableBytes { o in
            (o.baseAddress! + at).copyMemory(from: r.baseAddress!, byteCount: 24)
        } }
        at += 24
    }
    return at
}
report(baseline, baseline: nil)

// MARK: stages

if wanted("decode") {
    report(measure("decode (MessageDecoder, JSON)", readings: messageCount, setup: { MessageDecoder(limits: limits) }) { d in
        var n = 0
        for m in stream {
            m.payload.withUnsafeBytes { p in
                if case .items(let r) = d.decode(topic: m.topic, payload: p, format: .json, receiveTime: m.receiveTime) { n += r.count }
            }
        }
        return n
    }, baseline: baseline)
}

if wanted("validate") {
    report(measure("validate (Validator)", readings: messageCount, setup: {
        Validator(catalog: SensorCatalog(specs: config.sensorSpecs), policy: config.validationPolicy, start: start)
    }) { v in
        var n = 0
        for i in 0..<messageCount {
            if case .accept = v.validate(topic: stream[i].topic, item: items[i], receiveTime: stream[i].receiveTime) { n += 1 }
        }
        return n
    }, baseline: baseline)
}

if wanted("detect") {
    // The sensor's index comes from the message number here, so this is the detectors alone.
    report(measure("detect (SensorDetector, default)", readings: messageCount, setup: {
        (0..<sensorCount).map { _ in detectorSpec.makeDetector() }
    }) { detectors in
        var alerts = 0
        for i in 0..<messageCount {
            let r = detectors[i % sensorCount].observe(time: readings[i].sourceTime, value: readings[i].value.doubleValue)
            if r.score > 0.5 { alerts += 1 }
        }
        return alerts
    }, baseline: baseline)

    try report(measure("detect + alerts (DetectionStage)", readings: messageCount, setup: { () throws -> DetectionStage in
        let log = try AlertLog(path: freshDirectory() + "/alerts.jsonl")
        return DetectionStage(config: config, output: AlertOutput(log: log, republisher: nil, logger: logger))
    }) { stage in
        for i in 0..<messageCount { stage.observe(readings[i], specIndex: 0, slot: slots[i], topic: stream[i].topic) }
        return stage.detectorCount
    }, baseline: baseline)
}

if wanted("head") {
    // Head large enough that nothing seals while appending.
    let options = StorageOptions(headMaxSamples: messageCount + 1)
    try report(measure("head append (SegmentStore)", readings: messageCount, setup: {
        try SegmentStore(directory: freshDirectory(), options: options, wal: nil, logger: logger)
    }) { store in
        var n = 0
        for r in readings where try store.append(r) == .stored { n += 1 }
        return n
    }, baseline: baseline)

    try report(measure("seal (head of all readings → segment)", readings: messageCount, setup: { () throws -> SegmentStore in
        let store = try SegmentStore(directory: freshDirectory(), options: options, wal: nil, logger: logger)
        for r in readings { _ = try store.append(r) }
        return store
    }) { store in
        try store.sealNow(processedThrough: nil, now: readings.last!.receiveTime)
        return 0
    }, baseline: baseline)
}

if wanted("wal") {
    try report(measure("WAL append (write(2), no fsync)", readings: messageCount, setup: {
        try WriteAheadLog(directory: freshDirectory(), logger: logger)
    }) { wal in
        for m in stream {
            _ = try wal.append(WALRecord(receiveTime: m.receiveTime, qos: 0, topic: m.topicBytes, payload: m.payload))
        }
        return 0
    }, baseline: baseline)
}

// What the daemon's pipeline thread runs per message (Pipeline.process: admission,
// decode, validate, head append with the seals a full head needs, detect, alerts), on real
// files, without the WAL write of the network thread, MQTT or the queue.
@MainActor func makePipeline(wal: Bool) throws -> (Pipeline, WriteAheadLog?, SegmentStore) {
    let dir = freshDirectory()
    let w = wal ? try WriteAheadLog(directory: dir, logger: logger) : nil
    let store = try SegmentStore(directory: dir, options: StorageOptions(config: config.storage), wal: w, logger: logger)
    let quarantine = try QuarantineLog(dataDirectory: dir, logger: logger)
    let log = try AlertLog(path: dir + "/alerts.jsonl")
    let detection = DetectionStage(config: config, output: AlertOutput(log: log, republisher: nil, logger: logger))
    let validator = Validator(catalog: SensorCatalog(specs: config.sensorSpecs), policy: config.validationPolicy, start: start)
    let p = Pipeline(validator: validator, store: store, quarantine: quarantine, limits: limits, detection: detection, logger: logger)
    p.admission = MessageAdmission(ledger: DeliveryLedger(), maxPayloadBytes: limits.maxPayloadBytes)
    return (p, w, store)
}

if wanted("pipeline") {
    let full = try measure("pipeline (Pipeline.process)", readings: messageCount, setup: { try makePipeline(wal: false) }) { s in
        var offset: UInt64 = 0
        for m in stream {
            offset += UInt64(m.payload.count + 64)
            let record = WALRecord(receiveTime: m.receiveTime, qos: 0, topic: m.topicBytes, payload: m.payload)
            s.0.process(IngestedMessage(record: record, walEnd: WALPosition(file: 1, offset: offset)))
        }
        try s.2.sealNow(processedThrough: nil, now: stream.last!.receiveTime)
        precondition(s.0.counters.readingsStored == messageCount, "stored \(s.0.counters.readingsStored): \(s.0.counters.quarantineSummary)")
        return s.0.counters.readingsStored
    }
    report(full, baseline: baseline)
    print("target: in-process full pipeline >= 2 M readings/s on one core; measured " + fixed(full.perSecond / 1e6, 3)
          + " M/s = " + fixed(full.perSecond / 2e6, 2) + "× the target")
}
if wanted("pipeline-wal") {
    try report(measure("pipeline + WAL append", readings: messageCount, setup: { try makePipeline(wal: true) }) { s in
        for m in stream {
            let record = WALRecord(receiveTime: m.receiveTime, qos: 0, topic: m.topicBytes, payload: m.payload)
            let end = try s.1!.append(record)
            s.0.process(IngestedMessage(record: record, walEnd: end))
        }
        try s.2.sealNow(processedThrough: nil, now: stream.last!.receiveTime)
        precondition(s.0.counters.readingsStored == messageCount, "stored \(s.0.counters.readingsStored): \(s.0.counters.quarantineSummary)")
        return s.0.counters.readingsStored
    }, baseline: baseline)
}
removeScratch()

// What one sensor's state costs, per component, measured in this process.
//
//   swift build --product MemoryPerSensor && .build/debug/MemoryPerSensor [--sensors 10000] [--warm-sensors 1000] [--warm-readings 1000] [--set mad.window=200]
//
// Why the allocator's count and not RSS: the figures are glibc's bytes in use (system memory
// of the arenas minus their free chunks, plus mmapped blocks, from `malloc_info`: Swift's
// Glibc module exports neither `mallinfo2` nor `malloc.h`), taken before and after building N
// sensors' state of one component. That attributes heap bytes to the structure holding them,
// repeatably (to about 128 KB / N: the top chunk's slack); an RSS delta also counts pages
// freed but kept, page rounding and whatever else the process touched. The daemon's RSS
// (scripts/memory-soak.sh) is the end-to-end check. Single-threaded on purpose.
import Glibc
import Logging
import TinsenseCore
import TinsenseDecode
import TinsenseDetect
import TinsenseStorage
import TinsenseValidate

/// Heap bytes in use, from the totals at the end of glibc's `malloc_info` XML.
func heapBytes() -> Int {
    typealias MallocInfo = @convention(c) (Int32, UnsafeMutablePointer<FILE>?) -> Int32
    let mallocInfo = unsafeBitCast(dlsym(nil, "malloc_info")!, to: MallocInfo.self)
    var buffer: UnsafeMutablePointer<CChar>?
    var size = 0
    let stream = open_memstream(&buffer, &size)
    _ = mallocInfo(0, stream)
    fclose(stream)
    let xml = String(cString: buffer!)
    free(buffer)
    let totals = xml.split(separator: "</heap>").last ?? xml[...]
    func total(_ type: String) -> Int {
        guard let r = totals.firstRange(of: "type=\"\(type)\" ") else { return 0 }
        let rest = totals[r.upperBound...]
        guard let s = rest.firstRange(of: "size=\"") else { return 0 }
        return Int(rest[s.upperBound...].prefix { $0.isNumber }) ?? 0
    }
    return total("current") - total("fast") - total("rest") + total("mmap")
}

/// Bytes per sensor that building `count` sensors' state with `build` added to the heap; the
/// state is kept alive until the measurement is taken.
func perSensor<State>(_ count: Int, _ build: (Int) -> State) -> (bytes: Double, state: State) {
    let before = heapBytes()
    let state = build(count)
    let after = heapBytes()
    return (Double(after - before) / Double(count), state)
}

var sensors = 10_000
var warmSensors = 1_000
var warmReadings = 1_000
/// `--set key=value` (repeatable): detector parameter overrides for every set measured, as in
/// `tinsense evaluate faults --set` (e.g. `--set mad.window=200`).
var overrides: [String: String] = [:]
var arguments = CommandLine.arguments.dropFirst()
while let a = arguments.popFirst() {
    if a == "--set" {
        guard let kv = arguments.popFirst(), let eq = kv.firstIndex(of: "=") else { print("--set needs key=value"); exit(2) }
        overrides[String(kv[..<eq])] = String(kv[kv.index(after: eq)...])
        continue
    }
    guard let v = arguments.popFirst().flatMap({ Int($0) }), v > 0 else { print("bad value for \(a)"); exit(2) }
    switch a {
    case "--sensors": sensors = v
    case "--warm-sensors": warmSensors = v
    case "--warm-readings": warmReadings = v
    default: print("usage: MemoryPerSensor [--sensors N] [--warm-sensors N] [--warm-readings N] [--set key=value ...]"); exit(2)
    }
}

/// Topics like the simulator's and the soak's: `plant/line3/cell0042/temp`, longer than a
/// small string, so each id is a heap string as in the daemon.
func topic(_ i: Int) -> String { "plant/line\(i % 8)/cell\(i / 8)/temp" }

/// A 1 Hz reading of sensor `i`: a random walk with noise, the same for every component.
struct Signal {
    var rng: SplitMix64
    var level = 50.0
    init(_ i: Int) { rng = SplitMix64(seed: UInt64(i) &* 0x9E37_79B9 &+ 1) }
    mutating func next() -> Double {
        level += rng.nextUnit() - 0.5
        return ((level + 0.1 * rng.nextUnit()) * 1000).rounded() / 1000
    }
}

let t0: Int64 = 1_780_000_000_000
print("MemoryPerSensor: heap bytes per sensor (glibc malloc_info in-use deltas, chunk headers included)")
print("sensors cold: \(sensors) (1 reading each); warm: \(warmSensors) sensors × \(warmReadings) readings at 1 Hz")
print("inline sizes: SensorDetector \(MemoryLayout<SensorDetector>.stride) B, DetectorSpec \(MemoryLayout<DetectorSpec>.stride) B")

// Validator: the catalog's topic cache and the per-sensor state, as the pipeline drives them.
let catalog = SensorCatalog(specs: [SensorSpec(topic: try TopicPattern("plant/{line}/{cell}/{tag}"))])
let validator = perSensor(sensors) { n in
    var v = Validator(catalog: catalog, policy: ValidationPolicy(maxSeries: 1_000_000), start: Timestamp(millisecondsSinceEpoch: t0))
    for i in 0..<n {
        let item = DecodedItem(value: .number(DecimalValue(mantissa: Int64(i), scale: 1)), sourceTime: Timestamp(millisecondsSinceEpoch: t0))
        _ = v.validate(topic: topic(i), item: item, receiveTime: Timestamp(millisecondsSinceEpoch: t0))
    }
    return v
}
print(String(format: "validator (catalog cache + SensorState), cold: %.0f B/sensor", validator.bytes))

// Storage head: one reading per series through the real store (no WAL).
let dir = "/tmp/memory-per-sensor-\(getpid())"
mkdir(dir, 0o700)
defer { _ = system("rm -rf '\(dir)'") }
var logger = Logger(label: "memory")
logger.logLevel = .critical
let store = try SegmentStore(directory: dir, wal: nil, logger: logger)
let head = perSensor(sensors) { n in
    for i in 0..<n {
        _ = try? store.append(Reading(sensor: topic(i), sourceTime: Timestamp(millisecondsSinceEpoch: t0),
                                      receiveTime: Timestamp(millisecondsSinceEpoch: t0), value: DecimalValue(mantissa: Int64(i), scale: 1)))
    }
    return n
}
print(String(format: "storage head (SeriesState + head), cold: %.0f B/sensor", head.bytes))

// The head just before it is sealed at a large site: `head_max_samples` (1,000,000) over
// 10,000 series is 100 unsealed readings each. Its own store, so the cold series above do
// not count; fewer series than that, so it does not seal while measured.
let warmStore = try SegmentStore(directory: dir + "/warm", wal: nil, logger: logger)
let warmHeadReadings = 100
let warmHead = perSensor(warmSensors) { n in
    var signals = (0..<n).map { Signal($0) }
    for k in 0..<warmHeadReadings {
        let t = Timestamp(millisecondsSinceEpoch: t0 + Int64(k) * 1000)
        for i in 0..<n {
            let v = signals[i].next()
            _ = try? warmStore.append(Reading(sensor: topic(i), sourceTime: t, receiveTime: t,
                                              value: DecimalValue(mantissa: Int64((v * 1000).rounded()), scale: 3)))
        }
    }
    return n
}
print(String(format: "storage head, warm (\(warmHeadReadings) unsealed readings a series, as 10,000 sensors fill the default head): %.0f B/sensor", warmHead.bytes))

/// Detector state as the daemon's `DetectionStage` holds it: a table by the validator's slot.
func detectors(_ spec: DetectorSpec, sensors n: Int, readings: Int) -> Double {
    perSensor(n) { n in
        var d = SensorDetectorTable()
        for i in 0..<n {
            var s = Signal(i)
            let id = topic(i)
            for k in 0..<readings {
                _ = d.observe(slot: i, sensor: id, time: Timestamp(millisecondsSinceEpoch: t0 + Int64(k) * 1000), value: s.next()) { spec.makeDetector() }
            }
        }
        return d
    }.bytes
}

print("detectors (a SensorDetectorTable as DetectionStage keeps them), B/sensor:")
print("  set                 cold      warm")
if !overrides.isEmpty { print("overrides: " + overrides.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")) }
let sets: [(String, DetectorSpec)] = [("default", try! DetectorSpec(names: ["default"], overrides: overrides))]
    + DetectorSpec.defaultDetectors.map { ($0.name, try! DetectorSpec(names: [$0.name], overrides: overrides)) }
for (name, spec) in sets {
    let cold = detectors(spec, sensors: sensors, readings: 1)
    let warm = detectors(spec, sensors: warmSensors, readings: warmReadings)
    print("  " + name.padding(toLength: 16, withPad: " ", startingAt: 0) + String(format: "%8.0f  %8.0f", cold, warm))
}

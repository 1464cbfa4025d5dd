#if canImport(Glibc)
import Glibc
#endif
import Logging
import TinsenseCore
import TinsenseEncoding
import TinsenseStorage
import TinsenseSystem

// Storage benchmarks. Every figure is printed beside a baseline measured in the same run.
//   StorageBenchmark compression [--skab DIR]   SKAB import → bytes/sample, round trip, baselines
//   StorageBenchmark speed [--skab DIR]         chunk encode/decode samples/s vs Gorilla XOR
//   StorageBenchmark breakdown [--skab DIR]     bytes/sample per channel and part, modes chosen
//   StorageBenchmark head-memory                10,000 series × 1 Hz × 1 h through SegmentStore, peak RSS
//   StorageBenchmark all [--skab DIR]           compression + speed (head-memory needs its own process)
//   StorageBenchmark profile-{encode,decode}[-series]   one side of `speed` for 4 s, for `perf record`

let arguments = Array(CommandLine.arguments.dropFirst())
let skabRoot: String = {
    if let i = arguments.firstIndex(of: "--skab"), i + 1 < arguments.count { return arguments[i + 1] }
    return "../../shared/data/skab"
}()
let mode = arguments.first { !$0.hasPrefix("--") && $0 != skabRoot } ?? "all"

let logger: Logger = {
    var l = Logger(label: "tinsense.benchmark")
    l.logLevel = .warning
    return l
}()

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

func wallClock() -> Timestamp {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Timestamp(millisecondsSinceEpoch: Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000)
}

func temporaryDirectory(_ label: String) -> String {
    var template = Array("/tmp/tinsense-\(label)-XXXXXX".utf8CString)
    _ = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
    return String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

func removeTree(_ path: String) {
    for name in (try? PosixIO.listDirectory(path)) ?? [] {
        let p = path + "/" + name
        var st = stat()
        if lstat(p, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR { removeTree(p) } else { unlink(p) }
    }
    rmdir(path)
}

func treeBytes(_ path: String) -> (files: UInt64, count: Int) {
    var total: UInt64 = 0
    var count = 0
    for name in (try? PosixIO.listDirectory(path)) ?? [] {
        let p = path + "/" + name
        var st = stat()
        guard lstat(p, &st) == 0 else { continue }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            let sub = treeBytes(p)
            total += sub.files
            count += sub.count
        } else {
            total += UInt64(st.st_size)
            count += 1
        }
    }
    return (total, count)
}

func format(_ x: Double, _ digits: Int = 3) -> String {
    var p = 1.0
    for _ in 0..<digits { p *= 10 }
    let r = (x * p).rounded() / p
    return "\(r)"
}

func peakRSSMegabytes() -> (peak: Double, current: Double) {
    guard let f = fopen("/proc/self/status", "r") else { return (0, 0) }
    defer { fclose(f) }
    var peak = 0.0
    var current = 0.0
    var line = [CChar](repeating: 0, count: 512)
    while fgets(&line, 512, f) != nil {
        let s = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let kb = Double(s.split(whereSeparator: { $0 == " " || $0 == "\t" }).compactMap { Int($0) }.first ?? 0)
        if s.hasPrefix("VmHWM:") { peak = kb / 1024 }
        if s.hasPrefix("VmRSS:") { current = kb / 1024 }
    }
    return (peak, current)
}

// MARK: compression

func compression() throws {
    print("== compression: SKAB, all 8 channels of all files, imported with CSVImporter (what `tinsense import` runs)")
    let files = SKAB.csvFiles(skabRoot)
    let data = temporaryDirectory("skab")
    defer { removeTree(data) }
    let store = try SegmentStore(directory: data, options: StorageOptions(), wal: nil, logger: logger)
    let importer = CSVImporter(store: store, options: CSVImportOptions(exclude: SKAB.labels, sensorPrefix: "skab/{dir}/{file}/"))
    var report = CSVImportReport()
    var problems = 0
    let t0 = now()
    for f in files { report += try importer.importFile(f, now: wallClock()) { _ in problems += 1 } }
    try store.sealNow(processedThrough: nil, now: wallClock())
    let seconds = now() - t0
    let samples = Double(report.stored)
    let segments = treeBytes(data + "/segments")
    let whole = treeBytes(data)
    print("files \(files.count), rows \(report.rows), samples stored \(report.stored), problems \(problems), import \(format(seconds, 2)) s")
    print("tinsense segments: \(segments.files) bytes in \(segments.count) files = \(format(Double(segments.files) / samples)) bytes/sample")
    print("tinsense whole data directory: \(whole.files) bytes = \(format(Double(whole.files) / samples)) bytes/sample")

    // Round trip: every value's decimal text and every timestamp, exactly.
    let skab = try SKAB.load(skabRoot)
    var expected: [String: (times: [Int64], texts: [String])] = [:]
    for s in skab { expected[s.sensor] = (s.times, s.texts) }
    var seen: [String: Int] = [:]
    var mismatches = 0
    var exported = 0
    for r in try DataDirectory(path: data).readings() {
        exported += 1
        let k = seen[r.sensor, default: 0]
        seen[r.sensor] = k + 1
        guard let e = expected[r.sensor], k < e.times.count, e.times[k] == r.sourceTime.millisecondsSinceEpoch,
              e.texts[k] == r.value.description else {
            mismatches += 1
            continue
        }
    }
    let expectedCount = skab.reduce(0) { $0 + $1.times.count }
    print("round trip: exported \(exported) of \(expectedCount) samples, \(mismatches) differ from the CSV text or time")

    // Baselines on the same samples.
    var gorillaBytes = 0
    for s in skab {
        gorillaBytes += GorillaCodec.encode(times: s.times, values: s.texts.map { Double($0)! }).count
    }
    var csvBytes = 0
    var csvZstd = 0
    for f in files {
        let fd = try PosixIO.open(f, flags: 0)
        let bytes = try PosixIO.read(fd, count: Int(try PosixIO.fileSize(fd)), at: 0)
        _ = close(fd)
        csvBytes += bytes.count
        var sink = ByteSink(capacity: bytes.count)
        csvZstd += bytes.withUnsafeBytes { Zstd.compress($0, level: 19, into: &sink) }
    }
    print("baseline Gorilla XOR (same series, same run): \(format(Double(gorillaBytes) / samples)) bytes/sample")
    print("baseline CSV files: \(format(Double(csvBytes) / samples)) bytes/sample; zstd -19 of each CSV: \(format(Double(csvZstd) / samples)) bytes/sample")
}

// MARK: speed

func columns(_ s: SKABSeries) -> ChunkColumns {
    var c = ChunkColumns()
    let meta = SampleMeta(quality: 0, flags: ReadingFlags.imported.rawValue, unit: nil)
    for (t, text) in zip(s.times, s.texts) {
        let v = DecimalValue(text)!
        c.append(sourceTime: t, receiveTime: t, mantissa: v.mantissa, scale: v.scale, meta: meta)
    }
    return c
}

func measure(_ label: String, samplesPerRound: Int, minimumSeconds: Double = 1.5, _ body: () -> Int) -> Double {
    var rounds = 0
    var sink = 0
    _ = body()
    let t0 = now()
    var elapsed = 0.0
    repeat {
        sink &+= body()
        rounds += 1
        elapsed = now() - t0
    } while elapsed < minimumSeconds
    let rate = Double(samplesPerRound * rounds) / elapsed
    print("\(label): \(format(rate / 1e6, 2)) M samples/s (\(rounds) rounds, checksum \(sink & 0xFFFF))")
    return rate
}

/// The SKAB series grouped the way a segment stores them: the channels of one file share
/// their timestamps, so a group is one time part and one value part per channel.
func fileGroups(_ cols: [ChunkColumns]) -> [[ChunkColumns]] {
    var groups: [[ChunkColumns]] = []
    for c in cols {
        if let last = groups.last?.first, last.sourceTimes == c.sourceTimes, last.receiveTimes == c.receiveTimes {
            groups[groups.count - 1].append(c)
        } else {
            groups.append([c])
        }
    }
    return groups
}

func encodeGroup(_ group: [ChunkColumns]) -> [UInt8] {
    var sink = ByteSink(capacity: group.count * group[0].count * 2 + 64)
    ChunkEncoder.encodeTimes(sourceTimes: group[0].sourceTimes, receiveTimes: group[0].receiveTimes, into: &sink)
    for c in group { ChunkEncoder.encodeValues(c, into: &sink) }
    return sink.bytes
}

func decodeGroup(_ bytes: [UInt8], members: Int) throws -> [ChunkColumns] {
    try bytes.withUnsafeBytes { p in
        var src = ByteSource(p)
        let times = try ChunkDecoder.decodeTimes(&src)
        return try (0..<members).map { _ in try ChunkDecoder.decodeValues(&src, sourceTimes: times.source, receiveTimes: times.receive) }
    }
}

func speed() throws {
    print("== speed: one core, SKAB as stored: per file one time part + one value part per channel (release build)")
    let skab = try SKAB.load(skabRoot)
    let cols = skab.map(columns)
    let groups = fileGroups(cols)
    let total = cols.reduce(0) { $0 + $1.count }
    let encoded = groups.map(encodeGroup)
    for (g, e) in zip(groups, encoded) where try decodeGroup(e, members: g.count) != g {
        print("DECODE MISMATCH")
        exit(1)
    }
    let bytes = encoded.reduce(0) { $0 + $1.count }
    print("tinsense: \(groups.count) groups of \(cols.count) series, \(total) samples, \(bytes) bytes = \(format(Double(bytes) / Double(total))) bytes/sample (chunk payload only)")
    let encodeRate = measure("tinsense encode", samplesPerRound: total) {
        groups.reduce(0) { $0 &+ encodeGroup($1).count }
    }
    let decodeRate = measure("tinsense decode", samplesPerRound: total) {
        zip(groups, encoded).reduce(0) { $0 &+ ((try? decodeGroup($1.1, members: $1.0.count))?.count ?? 0) }
    }
    // The same without shared times (a chunk per series, as for series that share nothing).
    let single = cols.map { ChunkEncoder.encode($0) }
    let singleBytes = single.reduce(0) { $0 + $1.count }
    print("tinsense, one chunk per series (no shared times): \(format(Double(singleBytes) / Double(total))) bytes/sample")
    _ = measure("tinsense encode, chunk per series", samplesPerRound: total) {
        cols.reduce(0) { $0 &+ ChunkEncoder.encode($1).count }
    }
    _ = measure("tinsense decode, chunk per series", samplesPerRound: total) {
        single.reduce(0) { $0 &+ ((try? ChunkDecoder.decode($1))?.count ?? 0) }
    }
    let doubles = skab.map { $0.texts.map { Double($0)! } }
    let gorilla = zip(skab, doubles).map { GorillaCodec.encode(times: $0.times, values: $1) }
    let gBytes = gorilla.reduce(0) { $0 + $1.count }
    print("baseline Gorilla XOR: \(format(Double(gBytes) / Double(total))) bytes/sample")
    let gorillaEncode = measure("baseline Gorilla encode", samplesPerRound: total) {
        var n = 0
        for (s, d) in zip(skab, doubles) { n &+= GorillaCodec.encode(times: s.times, values: d).count }
        return n
    }
    let gorillaDecode = measure("baseline Gorilla decode", samplesPerRound: total) {
        var n = 0
        for g in gorilla { n &+= GorillaCodec.decode(g).times.count }
        return n
    }
    print("ratio to Gorilla in this run: encode \(format(encodeRate / gorillaEncode, 2))×, decode \(format(decodeRate / gorillaDecode, 2))×, size \(format(Double(gBytes) / Double(bytes), 2))× smaller")
}

// MARK: breakdown

/// Bytes/sample per SKAB channel, split into the time part, the scale/metadata section and
/// the values section, with the value mode each chunk chose: to see where the bytes go.
func breakdown() throws {
    print("== breakdown: chunk bytes/sample per SKAB channel (time part | scales+metadata | values) and value modes")
    let skab = try SKAB.load(skabRoot)
    var parts: [String: [Int]] = [:]
    var samples: [String: Int] = [:]
    var modes: [String: [String: Int]] = [:]
    for s in skab {
        let channel = String(s.sensor.split(separator: "/").last!)
        let c = columns(s)
        var times = ByteSink(capacity: 0)
        ChunkEncoder.encodeTimes(sourceTimes: c.sourceTimes, receiveTimes: c.receiveTimes, into: &times)
        var values = ByteSink(capacity: 0)
        ChunkEncoder.encodeValues(c, into: &values)
        let bytes = values.bytes
        // The values part is two sections: scales+metadata, then values. Measure the first.
        let structureBytes = try bytes.withUnsafeBytes { p in
            var src = ByteSource(p)
            try ChunkDecoder.withSection(&src) { _ in }
            return src.position
        }
        let mode = try ChunkDecoder.layout(times.bytes + bytes).valueDescription
        var p = parts[channel, default: [0, 0, 0]]
        p[0] += times.count
        p[1] += structureBytes
        p[2] += bytes.count - structureBytes
        parts[channel] = p
        samples[channel, default: 0] += s.times.count
        modes[channel, default: [:]][mode, default: 0] += 1
    }
    for k in parts.keys.sorted() {
        let p = parts[k]!.map { format(Double($0) / Double(samples[k]!)) }
        let total = format(Double(parts[k]!.reduce(0, +)) / Double(samples[k]!))
        print("\(k): \(total) = \(p[0]) | \(p[1]) | \(p[2]) bytes/sample; \(modes[k]!.sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }.joined(separator: ", "))")
    }
}

// MARK: head memory

func headMemory() throws {
    print("== head memory: 10,000 series at 1 Hz for one hour through SegmentStore (default options, no WAL)")
    let data = temporaryDirectory("head")
    defer { removeTree(data) }
    let options = StorageOptions()
    let store = try SegmentStore(directory: data, options: options, wal: nil, logger: logger)
    let seriesCount = 10_000
    let names = (0..<seriesCount).map { "tinmine/site1/area\($0 / 1000)/line\($0 / 100 % 10)/cell\($0 % 100)/value" }
    var rng = SystemRandomNumberGenerator()
    var level = (0..<seriesCount).map { _ in Int64.random(in: 100_000...999_999, using: &rng) }
    let start: Int64 = 1_780_000_000_000
    let t0 = now()
    var maxHeadBytes = 0
    for second in 0..<3600 {
        let t = start + Int64(second) * 1000
        for i in 0..<seriesCount {
            level[i] += Int64.random(in: -500...500, using: &rng)
            let r = Reading(sensor: names[i], sourceTime: Timestamp(millisecondsSinceEpoch: t),
                            receiveTime: Timestamp(millisecondsSinceEpoch: t + Int64.random(in: 0...40, using: &rng)),
                            value: DecimalValue(mantissa: level[i], scale: 4), unit: "kPa")
            _ = try store.append(r)
        }
        try store.sealDueAndApplyRetention(processedThrough: nil, now: Timestamp(millisecondsSinceEpoch: t))
        if second % 60 == 0 { maxHeadBytes = max(maxHeadBytes, store.approximateHeadBytes) }
    }
    try store.sealNow(processedThrough: nil, now: Timestamp(millisecondsSinceEpoch: start + 3_600_000))
    let elapsed = now() - t0
    let rss = peakRSSMegabytes()
    let disk = treeBytes(data)
    print("samples \(seriesCount * 3600) in \(format(elapsed, 1)) s (\(format(Double(seriesCount * 3600) / elapsed / 1e6, 2)) M appends/s incl. sealing)")
    print("segments \(store.segmentCount), \(disk.files) bytes on disk = \(format(Double(disk.files) / Double(seriesCount * 3600))) bytes/sample")
    print("head estimate peak \(format(Double(maxHeadBytes) / 1_048_576, 1)) MB (head max samples \(options.headMaxSamples))")
    print("process RSS: peak \(format(rss.peak, 1)) MB, now \(format(rss.current, 1)) MB (limit 64 MB)")
}

switch mode {
case "compression": try compression()
case "speed": try speed()
case "head-memory": try headMemory()
case "breakdown": try breakdown()
case "profile-encode-series", "profile-decode-series":
    let cols = try SKAB.load(skabRoot).map(columns)
    let total = cols.reduce(0) { $0 + $1.count }
    if mode == "profile-encode-series" {
        _ = measure("encode, chunk per series", samplesPerRound: total, minimumSeconds: 4) { cols.reduce(0) { $0 &+ ChunkEncoder.encode($1).count } }
    } else {
        let single = cols.map { ChunkEncoder.encode($0) }
        _ = measure("decode, chunk per series", samplesPerRound: total, minimumSeconds: 4) {
            single.reduce(0) { $0 &+ ((try? ChunkDecoder.decode($1))?.count ?? 0) }
        }
    }
case "profile-encode", "profile-decode":
    // For `perf record`: only one side of `speed`, for a few seconds.
    let cols = try SKAB.load(skabRoot).map(columns)
    let groups = fileGroups(cols)
    let encoded = groups.map(encodeGroup)
    let total = cols.reduce(0) { $0 + $1.count }
    if mode == "profile-encode" {
        _ = measure("encode", samplesPerRound: total, minimumSeconds: 4) { groups.reduce(0) { $0 &+ encodeGroup($1).count } }
    } else {
        _ = measure("decode", samplesPerRound: total, minimumSeconds: 4) {
            zip(groups, encoded).reduce(0) { $0 &+ ((try? decodeGroup($1.1, members: $1.0.count))?.count ?? 0) }
        }
    }
case "all":
    try compression()
    try speed()
default:
    print("usage: StorageBenchmark [all|compression|speed|breakdown|head-memory|profile-encode|profile-decode|profile-encode-series|profile-decode-series] [--skab DIR]")
    exit(2)
}

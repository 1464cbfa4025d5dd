import TinsenseCore
import TinsenseEncoding

/// The streaming iterator behind `DataDirectory.readings`.
///
/// Plan first (from the segment indexes: which chunks of which series overlap the time
/// range), then decode one group of time-overlapping chunks at a time and merge it. Segments
/// whose index is damaged are salvaged chunk by chunk; chunks that fail their CRC are skipped
/// and reported, so everything intact is still returned.
public final class ReadingCursor: Sequence, IteratorProtocol {
    struct PlannedChunk {
        var file: Int
        var ref: SegmentChunkRef
    }

    private let glob: SensorGlob?
    private let from: Int64
    private let to: Int64
    private var paths: [String] = []
    private var openFiles: [Int: SegmentFile] = [:]
    /// Files whose index is damaged: their chunks are read without it.
    private var salvaged = Set<Int>()
    private var plan: [(sensor: String, chunks: [PlannedChunk])] = []
    private var planIndex = 0
    private var groupStart = 0
    private var current: [Reading] = []
    private var currentIndex = 0
    /// Damage met so far (segments with bad indexes are reported at creation).
    public private(set) var damage: [DamageReport] = []

    init(directory: DataDirectory, glob: SensorGlob?, from: Int64?, to: Int64?) throws {
        self.glob = glob
        self.from = from ?? Int64.min
        self.to = to ?? Int64.max
        var bySensor: [String: [PlannedChunk]] = [:]
        for path in try directory.segmentFiles() {
            let fileIndex = paths.count
            paths.append(path)
            do {
                let file = try SegmentFile(path: path)
                for s in file.index.series where glob?.matches(s.sensor) ?? true {
                    for ref in s.chunks where overlaps(ref) {
                        bySensor[s.sensor, default: []].append(PlannedChunk(file: fileIndex, ref: ref))
                    }
                }
            } catch {
                damage.append(error as? DamageReport ?? DamageReport(path: path, offset: 0, reason: "\(error)"))
                salvaged.insert(fileIndex)
                let (chunks, stop) = SegmentFile.salvage(path: path)
                if let stop, !chunks.isEmpty {
                    damage.append(DamageReport(path: path, offset: stop.offset, reason: "recovered \(chunks.count) chunks without the index; stopped: \(stop.reason)"))
                }
                for (sensor, ref) in chunks where (glob?.matches(sensor) ?? true) && overlaps(ref) {
                    bySensor[sensor, default: []].append(PlannedChunk(file: fileIndex, ref: ref))
                }
            }
        }
        plan = bySensor.map { ($0.key, $0.value.sorted { ($0.ref.minTime, $0.file) < ($1.ref.minTime, $1.file) }) }
            .sorted { $0.sensor.utf8.lexicographicallyPrecedes($1.sensor.utf8) }
    }

    private func overlaps(_ ref: SegmentChunkRef) -> Bool {
        ref.maxTime >= from && ref.minTime < to
    }

    public func next() -> Reading? {
        while currentIndex >= current.count {
            guard loadNextGroup() else { return nil }
        }
        defer { currentIndex += 1 }
        return current[currentIndex]
    }

    /// Decodes the next run of chunks of one series whose time ranges overlap and merges
    /// them in source-time order (dropping repeats of a source time).
    private func loadNextGroup() -> Bool {
        while planIndex < plan.count {
            let (sensor, chunks) = plan[planIndex]
            guard groupStart < chunks.count else {
                planIndex += 1
                groupStart = 0
                openFiles.removeAll()
                continue
            }
            var end = groupStart + 1
            var groupMax = chunks[groupStart].ref.maxTime
            while end < chunks.count, chunks[end].ref.minTime <= groupMax {
                groupMax = Swift.max(groupMax, chunks[end].ref.maxTime)
                end += 1
            }
            var decoded: [ChunkColumns] = []
            for c in chunks[groupStart..<end] {
                do {
                    let (name, columns) = try salvaged.contains(c.file)
                        ? SegmentFile.readChunk(path: paths[c.file], ref: c.ref)
                        : segmentFile(c.file).readChunk(c.ref)
                    guard name == sensor else {
                        damage.append(DamageReport(path: paths[c.file], offset: c.ref.offset, reason: "chunk belongs to \(name), index says \(sensor)"))
                        continue
                    }
                    decoded.append(columns)
                } catch {
                    damage.append(error as? DamageReport ?? DamageReport(path: paths[c.file], offset: c.ref.offset, reason: "\(error)"))
                }
            }
            groupStart = end
            current = merge(sensor: sensor, decoded)
            currentIndex = 0
            if !current.isEmpty { return true }
        }
        return false
    }

    private func segmentFile(_ i: Int) throws -> SegmentFile {
        if let f = openFiles[i] { return f }
        let f = try SegmentFile(path: paths[i])
        openFiles[i] = f
        return f
    }

    private func merge(sensor: String, _ parts: [ChunkColumns]) -> [Reading] {
        var items: [(Int64, Int, Int)] = []
        for (p, c) in parts.enumerated() {
            for k in 0..<c.count where c.sourceTimes[k] >= from && c.sourceTimes[k] < to {
                items.append((c.sourceTimes[k], p, k))
            }
        }
        if parts.count > 1 { items.sort { ($0.0, $0.1) < ($1.0, $1.1) } }
        var out: [Reading] = []
        out.reserveCapacity(items.count)
        var last: Int64?
        for (t, p, k) in items {
            if t == last { continue }
            last = t
            let c = parts[p]
            let meta = c.metas[Int(c.metaIndexes[k])]
            out.append(Reading(
                sensor: sensor, sourceTime: Timestamp(millisecondsSinceEpoch: t),
                receiveTime: Timestamp(millisecondsSinceEpoch: c.receiveTimes[k]),
                value: DecimalValue(mantissa: c.mantissas[k], scale: c.scales[k]),
                unit: meta.unit, quality: Quality(rawValue: meta.quality) ?? .bad,
                flags: ReadingFlags(rawValue: meta.flags)))
        }
        return out
    }
}

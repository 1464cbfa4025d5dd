import TinsenseCore
import TinsenseEncoding

/// The streaming iterator behind `DataDirectory.readings`.
///
/// Plan first (from the segment indexes: which chunks of which series overlap the time
/// range), then decode one group of time-overlapping chunks at a time and merge it. Segments
/// whose index is damaged are salvaged record by record; records that fail their CRC are
/// skipped and reported, so everything intact is still returned.
///
/// A chunk is one member of a record; series that share a record's time part are adjacent
/// in id order, so each file's reader keeps its last record and a record is read and checked
/// once for all its members.
public final class ReadingCursor: Sequence, IteratorProtocol {
    struct PlannedChunk {
        var file: Int
        var ref: SegmentChunkRef
    }

    private let pattern: SensorPattern?
    private let from: Int64
    private let to: Int64
    private var paths: [String] = []
    /// Open readers, most recently used last (at most `maxOpenFiles`).
    private var readers: [(file: Int, reader: RecordReader)] = []
    private static let maxOpenFiles = 16
    /// Where each file's records end (its index offset; the file size for salvaged files).
    private var recordsEnd: [UInt64] = []
    private var plan: [(sensor: String, chunks: [PlannedChunk])] = []
    private var planIndex = 0
    private var groupStart = 0
    private var current: [Reading] = []
    private var currentIndex = 0
    /// Damage met so far (segments with bad indexes are reported at creation).
    public private(set) var damage: [DamageReport] = []

    init(directory: DataDirectory, segmentFiles: [String]?, pattern: SensorPattern?, from: Int64?, to: Int64?) throws {
        self.pattern = pattern
        self.from = from ?? Int64.min
        self.to = to ?? Int64.max
        var bySensor: [String: [PlannedChunk]] = [:]
        for path in try segmentFiles ?? directory.segmentFiles() {
            let fileIndex = paths.count
            paths.append(path)
            recordsEnd.append(0)
            do {
                let file = try SegmentFile(path: path)
                recordsEnd[fileIndex] = file.indexOffset
                for s in file.index.series where pattern?.matches(s.sensor) ?? true {
                    for ref in s.chunks where overlaps(ref) {
                        bySensor[s.sensor, default: []].append(PlannedChunk(file: fileIndex, ref: ref))
                    }
                }
            } catch {
                damage.append(error as? DamageReport ?? DamageReport(path: path, offset: 0, reason: "\(error)"))
                recordsEnd[fileIndex] = DataDirectory.fileSize(path)
                let (chunks, problems) = SegmentFile.salvage(path: path)
                damage += problems
                if !chunks.isEmpty {
                    damage.append(DamageReport(path: path, offset: 0, reason: "recovered \(chunks.count) chunks without the index"))
                }
                for (sensor, ref) in chunks where (pattern?.matches(sensor) ?? true) && overlaps(ref) {
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
                    let (name, columns) = try reader(c.file).chunk(c.ref, limit: recordsEnd[c.file])
                    guard name == sensor else {
                        damage.append(DamageReport(path: paths[c.file], offset: c.ref.offset, reason: "chunk belongs to \(name), index says \(sensor)"))
                        continue
                    }
                    decoded.append(columns)
                } catch {
                    let report = error as? DamageReport ?? DamageReport(path: paths[c.file], offset: c.ref.offset, reason: "\(error)")
                    // A damaged record fails once for each of its members: report it once.
                    if !damage.contains(report) { damage.append(report) }
                }
            }
            groupStart = end
            current = merge(sensor: sensor, decoded)
            currentIndex = 0
            if !current.isEmpty { return true }
        }
        return false
    }

    private func reader(_ i: Int) throws -> RecordReader {
        if let k = readers.lastIndex(where: { $0.file == i }) {
            let r = readers.remove(at: k)
            readers.append(r)
            return r.reader
        }
        let r = try RecordReader(path: paths[i])
        if readers.count >= ReadingCursor.maxOpenFiles { readers.removeFirst() }
        readers.append((i, r))
        return r
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

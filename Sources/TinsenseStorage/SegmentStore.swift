#if canImport(Glibc)
import Glibc
#endif
import Logging
import TinsenseCore
import TinsenseEncoding
import TinsenseSystem

/// The storage engine: a bounded in-memory head per series, sealed into immutable segment
/// files under `<data>/segments`, each recording the WAL checkpoint it makes safe.
///
/// Single-threaded by contract (the pipeline thread is the only caller). A failed seal
/// (disk full, I/O error) throws, leaves no file that reads as valid, and keeps the head for
/// the next `sealDueAndApplyRetention`; only if the head reaches twice its limit does `append` throw
/// `StorageError.headFull` so the daemon pauses intake instead of growing without bound.
public final class SegmentStore: ReadingStore {
    /// The data directory.
    public let directory: String
    /// `<data>/segments`.
    public let segmentsDirectory: String
    public let options: StorageOptions
    let wal: WriteAheadLog?
    let logger: Logger

    // One thread appends, one reading at a time (the daemon's pipeline thread, or `tinsense
    // import`'s), and nothing called during an append reaches back to the store: release
    // builds skip the runtime's exclusivity checks on the two properties each append reads
    // and writes (≈ 80 instructions an access); debug builds, which the tests run, keep them.
    #if DEBUG
    private var series: [String: SeriesState] = [:]
    private var headSamples = 0
    #else
    @exclusivity(unchecked) private var series: [String: SeriesState] = [:]
    @exclusivity(unchecked) private var headSamples = 0
    #endif
    private var headOpenedAt: Timestamp?
    private var lastCheckpointAt: Timestamp?
    private(set) var segments: [SegmentSummary] = []
    private var nextSequence: UInt64 = 1
    private var persistedCheckpoint: WALPosition?
    private let lookup = SealedLookup()

    /// Called after each durable step of a seal; tests use it to snapshot crash states.
    var sealObserver: ((SealStep) -> Void)?

    /// Called with the durable checkpoint just before WAL files behind it are deleted: state
    /// that replay could no longer rebuild once they are gone (the daemon's delivery ledger)
    /// is persisted here. A throw keeps the files.
    public var willTrimWAL: ((WALPosition) throws -> Void)?

    public private(set) var checkpoint: WALPosition?

    /// Opens (creating) `<directory>/segments`, deletes leftover `*.tmp` files (never valid),
    /// and loads each segment's index to learn the checkpoint and each series' newest
    /// sealed time. A damaged segment is logged and left for `verify`; its data is not
    /// trusted for the checkpoint, so more of the WAL is replayed instead.
    public init(directory: String, options: StorageOptions = StorageOptions(), wal: WriteAheadLog?, logger: Logger) throws {
        self.directory = directory
        segmentsDirectory = directory + "/segments"
        self.options = options
        self.wal = wal
        self.logger = logger
        try PosixIO.makeDirectories(segmentsDirectory)
        var removedTemporary = false
        var found: [(UInt64, String)] = []
        for name in try PosixIO.listDirectory(segmentsDirectory) {
            if name.hasSuffix(SegmentFormat.temporarySuffix) {
                try PosixIO.unlink(segmentsDirectory + "/" + name)
                logger.notice("removed an unfinished segment left by a crash", metadata: ["file": "\(name)"])
                removedTemporary = true
            } else if let n = SegmentFormat.sequence(fromFileName: name) {
                found.append((n, segmentsDirectory + "/" + name))
            }
        }
        if removedTemporary { try PosixIO.fsyncDirectory(segmentsDirectory) }
        found.sort { $0.0 < $1.0 }
        for (n, path) in found {
            nextSequence = max(nextSequence, n + 1)
            do {
                let file = try SegmentFile(path: path)
                let summary = SegmentSummary(path: path, sequence: n, index: file.index, bytes: file.size)
                for s in file.index.series {
                    guard let last = s.chunks.map(\.maxTime).max() else { continue }
                    let state = stateFor(s.sensor)
                    state.sealedMaxTime = max(state.sealedMaxTime ?? last, last)
                }
                if let c = summary.checkpoint { checkpoint = max(checkpoint ?? c, c) }
                segments.append(summary)
            } catch {
                logger.error("segment is damaged; skipping it (run `tinsense verify`)", metadata: ["file": "\(path)", "error": "\(error)"])
            }
        }
        persistedCheckpoint = CheckpointFile.read(directory: segmentsDirectory)
        if let p = persistedCheckpoint { checkpoint = max(checkpoint ?? p, p) }
    }

    // MARK: ReadingStore

    public func append(_ reading: Reading) throws -> AppendOutcome {
        let t = reading.sourceTime.millisecondsSinceEpoch
        guard reading.value.scale <= 30 else { throw StorageError.badValue("scale \(reading.value.scale)") }
        let existing = series[reading.sensor]
        if let state = existing, let newest = state.newest, t < newest &- options.outOfOrderToleranceMs {
            if state.head.contains(source: t) { return .duplicate }
            if let sealed = state.sealedMaxTime, t <= sealed, try sealedContains(reading.sensor, t) {
                return .duplicate
            }
            return .tooLate
        }
        guard headSamples < 2 * options.headMaxSamples else { throw StorageError.headFull(samples: headSamples) }
        let nameLength = reading.sensor.utf8.count
        guard nameLength <= Int(UInt16.max) else { throw StorageError.sensorTooLong(nameLength) }
        let unitLength = reading.unit?.utf8.count ?? 0
        guard unitLength <= Int(UInt16.max) else { throw StorageError.unitTooLong(unitLength) }
        let state = existing ?? stateFor(reading.sensor)
        if let sealed = state.sealedMaxTime, t <= sealed, try sealedContains(reading.sensor, t) {
            return .duplicate
        }
        guard let meta = state.head.metaIndex(SampleMeta(quality: reading.quality.rawValue, flags: reading.flags.rawValue, unit: reading.unit)) else {
            throw StorageError.tooManyUnitCombinations(SeriesHead.metaLimit)
        }
        let sample = HeadSample(source: t, receive: reading.receiveTime.millisecondsSinceEpoch,
                                mantissa: reading.value.mantissa, scale: reading.value.scale, meta: meta)
        guard state.head.insert(sample) else { return .duplicate }
        headSamples += 1
        return .stored
    }

    /// The sealed-segment duplicate check. A damaged chunk is the reading's problem (it would
    /// fail the same way on every retry); only an I/O error that may pass is passed on as such.
    private func sealedContains(_ sensor: String, _ t: Int64) throws -> Bool {
        do {
            return try lookup.contains(sensor: sensor, time: t, in: segments)
        } catch let e as PosixIO.Failure where e.errorClass == .transient {
            throw e
        } catch {
            throw StorageError.unreadableChunk("\(error)")
        }
    }

    public func sealDueAndApplyRetention(processedThrough: WALPosition?, now: Timestamp) throws {
        if headSamples > 0, headOpenedAt == nil { headOpenedAt = now }
        if headSamples > 0 {
            let age = headOpenedAt.map { $0.milliseconds(to: now) } ?? 0
            if headSamples >= options.headMaxSamples || age >= options.sealIntervalMs {
                try seal(processedThrough: processedThrough, now: now)
            }
        } else if let p = processedThrough, p > (checkpoint ?? p) || checkpoint == nil {
            // Nothing to seal, but the WAL moved on (everything quarantined or refused):
            // advance the checkpoint on the same cadence so the WAL can still be trimmed.
            let since = lastCheckpointAt.map { $0.milliseconds(to: now) } ?? Int64.max
            if since >= options.sealIntervalMs {
                try CheckpointFile.write(p, directory: segmentsDirectory)
                persistedCheckpoint = p
                checkpoint = p
                lastCheckpointAt = now
                try trimWAL()
            }
        }
        try applyRetention(now: now)
    }

    public func sealNow(processedThrough: WALPosition?, now: Timestamp) throws {
        if headSamples > 0 {
            try seal(processedThrough: processedThrough, now: now)
        } else if let p = processedThrough, p > (checkpoint ?? p) || checkpoint == nil {
            try CheckpointFile.write(p, directory: segmentsDirectory)
            persistedCheckpoint = p
            checkpoint = p
            try trimWAL()
        }
        try applyRetention(now: now)
    }

    // MARK: State

    /// Samples in the head (not yet in a segment, not yet visible to `export`).
    public var headSampleCount: Int { headSamples }
    /// Series known to the store (head or sealed).
    public var seriesCount: Int { series.count }
    /// Sealed segments currently on disk (excluding damaged ones).
    public var segmentCount: Int { segments.count }
    /// Paths of the sealed segments, oldest first.
    public var segmentPaths: [String] { segments.map(\.path) }

    /// Approximate bytes the head holds (samples and per-series bookkeeping).
    public var approximateHeadBytes: Int {
        series.values.reduce(0) { $0 + $1.head.approximateBytes + 96 + $1.sensor.utf8.count }
    }

    private func stateFor(_ sensor: String) -> SeriesState {
        if let s = series[sensor] { return s }
        let s = SeriesState(sensor: sensor)
        series[sensor] = s
        return s
    }

    // MARK: Sealing

    private func seal(processedThrough: WALPosition?, now: Timestamp) throws {
        let newCheckpoint: WALPosition? = switch (processedThrough, checkpoint) {
        case let (p?, c?): max(p, c)
        case let (p?, nil): p
        case let (nil, c): c
        }
        let writer = try SegmentWriter(directory: segmentsDirectory, sequence: nextSequence, indexLevel: options.compressionLevel)
        let summary: SegmentSummary
        do {
            let names = series.keys.filter { !series[$0]!.head.isEmpty }.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            for name in names {
                try writer.append(sensor: name, columns: series[name]!.head.columns(),
                                  chunkMaxSamples: options.chunkMaxSamples, level: options.compressionLevel)
            }
            summary = try writer.finish(checkpoint: newCheckpoint, createdAt: now.millisecondsSinceEpoch) { step in
                sealObserver?(step)
            }
        } catch {
            writer.abandon()
            // The rename may have happened before a failed directory fsync: then the file is
            // complete and valid, and keeping the head too would store readings twice.
            if Glibc.access(writer.finalPath, F_OK) == 0 {
                try? PosixIO.unlink(writer.finalPath)
                try? PosixIO.fsyncDirectory(segmentsDirectory)
            }
            nextSequence += 1
            logger.error("sealing failed; keeping the head for the next attempt", metadata: ["error": "\(error)", "samples": "\(headSamples)"])
            throw error
        }
        nextSequence += 1
        for state in series.values where !state.head.isEmpty {
            let newest = state.head.newest!
            state.sealedMaxTime = max(state.sealedMaxTime ?? newest, newest)
            state.head.removeAll()
        }
        logger.info("sealed segment", metadata: [
            "file": "\(summary.path)", "samples": "\(summary.sampleCount)", "bytes": "\(summary.bytes)",
            "checkpoint": "\(newCheckpoint.map { "\($0)" } ?? "none")",
        ])
        headSamples = 0
        headOpenedAt = nil
        lastCheckpointAt = now
        segments.append(summary)
        checkpoint = newCheckpoint
        try trimWAL()
        sealObserver?(.walTrimmed)
    }

    /// Rotates the WAL so the file holding the checkpoint stops growing, then deletes every
    /// file wholly before the checkpoint.
    private func trimWAL() throws {
        guard let wal, let c = checkpoint else { return }
        try willTrimWAL?(c)
        if wal.endPosition.file == c.file {
            // When the checkpoint is the very end of the file just closed, that file holds
            // nothing unprocessed and can go too.
            if try wal.rotate() == c {
                try wal.removeFiles(before: WALPosition(file: c.file + 1, offset: 0))
                return
            }
        }
        try wal.removeFiles(before: c)
    }

    // MARK: Retention

    /// Deletes whole segments that are older than the retention age, then the oldest while
    /// the total exceeds the retention size. Each removal is logged.
    func applyRetention(now: Timestamp) throws {
        var doomed: [(SegmentSummary, String)] = []
        var kept: [SegmentSummary] = []
        if let age = options.retentionAgeMs {
            let cutoff = now.millisecondsSinceEpoch &- age
            for s in segments {
                if s.maxTime < cutoff { doomed.append((s, "age")) } else { kept.append(s) }
            }
        } else {
            kept = segments
        }
        if let limit = options.retentionBytes {
            var total = kept.reduce(Int64(0)) { $0 + Int64($1.bytes) }
            let oldestFirst = kept.sorted { ($0.maxTime, $0.sequence) < ($1.maxTime, $1.sequence) }
            var drop = Set<UInt64>()
            for s in oldestFirst where total > limit {
                drop.insert(s.sequence)
                total -= Int64(s.bytes)
                doomed.append((s, "size"))
            }
            kept.removeAll { drop.contains($0.sequence) }
        }
        guard !doomed.isEmpty else { return }
        // The checkpoint must outlive the segments that carry it.
        if let c = checkpoint, persistedCheckpoint != c {
            try CheckpointFile.write(c, directory: segmentsDirectory)
            persistedCheckpoint = c
        }
        for (s, why) in doomed {
            try PosixIO.unlink(s.path)
            lookup.forget(path: s.path)
            logger.info("retention removed segment", metadata: [
                "file": "\(s.path)", "reason": "\(why)", "newest": "\(Timestamp(millisecondsSinceEpoch: s.maxTime))",
                "bytes": "\(s.bytes)", "samples": "\(s.sampleCount)",
            ])
        }
        try PosixIO.fsyncDirectory(segmentsDirectory)
        segments = kept.sorted { $0.sequence < $1.sequence }
    }
}

import TinsenseConfig
import TinsenseCore
import TinsenseDecode
import TinsenseStorage
import TinsenseSystem
import TinsenseValidate

/// The readings a running daemon holds but has not sealed yet, rebuilt by another process
/// (`export`, `inspect`, `plot`) from the WAL after the last checkpoint: decoded and validated
/// with the daemon's own stages and config, and refused where the daemon's store would refuse
/// them (a (sensor, source time) already held, older than the out-of-order tolerance).
///
/// Lock-free and read-only (`WALTail`): the daemon is not disturbed. Every reading is checked
/// against the segments sealed by the time the tail has been read (`SealedReadingIndex`), so
/// a reading appears either sealed or fresh, never both and never neither (docs/FORMAT.md,
/// "Reading fresh data").
///
/// Like a daemon restart, the replay starts with empty validator state at the checkpoint, so
/// rate checks see the first fresh reading of a series without its predecessor.
package struct FreshReadings {
    /// Accepted readings, by sensor (byte order) then source time, inside the requested range.
    package var readings: [Reading] = []
    /// The sealed state the readings complement: read the sealed part from exactly these files.
    package var sealed: SealedState
    /// WAL records after the checkpoint, and how many of their readings were refused (as the
    /// daemon's quarantine would record them).
    package var walRecords = 0
    package var refused = 0
    /// Readings refused because the same (sensor, source time) is sealed or earlier in the WAL.
    package var duplicates = 0
    /// CRC damage in WAL files older than the newest one.
    package var damage: [DamageReport] = []
    /// Where the newest WAL file stopped being a valid record (a write in progress).
    package var liveTailAt: WALPosition?
    /// How many times the read was repeated because a WAL file vanished uncovered.
    package var retries = 0

    /// WAL files kept vanishing with no segment covering them: something other than the
    /// daemon is deleting files in the data directory.
    package struct SealRace: Error, CustomStringConvertible {
        package var attempts: Int
        package var description: String {
            "WAL files vanished without a checkpoint covering them in each of \(attempts) attempts to read the WAL tail"
        }
    }

    /// Reads the WAL tail of `directory` with `config`'s decode, validation and storage rules.
    ///
    /// The sealed state is taken before and after the WAL is read; the readings are checked
    /// against the *after* state's segments, and the sealed part is to be read from those. Any
    /// seal that ran meanwhile only moved readings the tail read holds into those segments
    /// (they are then refused as already stored), so no retry is needed for it; only a WAL file
    /// that vanished without a checkpoint beyond it in the after state (impossible unless the
    /// directory is changed by hand) makes the read start again.
    package static func read(
        directory: DataDirectory, config: Config, sensor: SensorPattern? = nil,
        from: Timestamp? = nil, to: Timestamp? = nil, maxAttempts: Int = 8
    ) throws -> FreshReadings {
        for attempt in 0..<maxAttempts {
            let before = try directory.sealedState()
            var tail = try directory.walTail(after: before.checkpoint)
            var replay = TailReplay(config: config)
            var records = 0
            while let entry = tail.next() {
                records += 1
                replay.process(IngestedMessage(entry: entry))
            }
            let after = try directory.sealedState()
            if let gone = tail.vanishedBelow, (after.checkpoint?.file ?? 0) <= gone { continue }
            var result = FreshReadings(sealed: after)
            let stored = replay.store(SealedReadingIndex(segmentFiles: after.segmentFiles))
            let lo = from?.millisecondsSinceEpoch ?? .min, hi = to?.millisecondsSinceEpoch ?? .max
            result.readings = stored.filter { r in
                let t = r.sourceTime.millisecondsSinceEpoch
                return t >= lo && t < hi && (sensor?.matches(r.sensor) ?? true)
            }.sorted { a, b in
                a.sensor == b.sensor ? a.sourceTime < b.sourceTime : a.sensor.utf8.lexicographicallyPrecedes(b.sensor.utf8)
            }
            result.walRecords = records
            result.refused = replay.refused
            result.duplicates = replay.duplicates
            result.damage = tail.damage
            result.liveTailAt = tail.liveTailAt
            result.retries = attempt
            return result
        }
        throw SealRace(attempts: maxAttempts)
    }
}

/// decode → validate → the store's refusals, for messages read back from the WAL tail: the
/// steps of `Pipeline.process` without writing anything.
private struct TailReplay {
    var validator: Validator
    let admission: MessageAdmission
    var decoder: MessageDecoder
    let toleranceMs: Int64
    /// Readings validation accepted, in WAL order, before the store's refusals.
    var validated: [Reading] = []
    var refused = 0
    var duplicates = 0

    init(config: Config) {
        validator = Validator(catalog: SensorCatalog(specs: config.sensorSpecs), policy: config.validationPolicy, start: WallClock.now())
        admission = MessageAdmission(maxPayloadBytes: config.validation.maxPayloadBytes)
        decoder = MessageDecoder(limits: DecodeLimits(maxPayloadBytes: config.validation.maxPayloadBytes, maxBatch: config.validation.maxBatch))
        toleranceMs = StorageOptions(config: config.storage).outOfOrderToleranceMs
    }

    mutating func process(_ m: IngestedMessage) {
        if admission.refusal(for: m) != nil {
            refused += 1
            return
        }
        let format = validator.payloadFormat(topic: m.topic)
        let outcome = m.payload.withUnsafeBytes { decoder.decode(topic: m.topic, payload: $0, format: format, receiveTime: m.receiveTime) }
        switch outcome {
        case .failure:
            refused += 1
        case .items(let results):
            for result in results {
                guard case .success(let item) = result,
                      case .accept(let reading, _, _, _) = validator.validate(topic: m.topic, item: item, receiveTime: m.receiveTime) else {
                    refused += 1
                    continue
                }
                validated.append(reading)
            }
        }
    }

    /// `SegmentStore.append`'s refusals, in WAL order: a time already held (sealed, or earlier
    /// in the tail) is a duplicate; a time older than the tolerance behind the newest stored
    /// one is too late. Returns what the store keeps.
    mutating func store(_ sealed: SealedReadingIndex) -> [Reading] {
        var held: [String: (times: Set<Int64>, newest: Int64)] = [:]
        var kept: [Reading] = []
        for r in validated {
            let t = r.sourceTime.millisecondsSinceEpoch
            let mine = held[r.sensor]
            if mine?.times.contains(t) == true || sealed.contains(sensor: r.sensor, time: t) {
                refused += 1
                duplicates += 1
                continue
            }
            let newest = [mine?.newest, sealed.newest(r.sensor)].compactMap { $0 }.max()
            if let newest, t < newest &- toleranceMs {
                refused += 1
                continue
            }
            var entry = mine ?? (times: [], newest: t)
            entry.times.insert(t)
            entry.newest = max(entry.newest, t)
            held[r.sensor] = entry
            kept.append(r)
        }
        return kept
    }
}

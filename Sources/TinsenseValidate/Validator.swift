import TinsenseCore
import TinsenseDecode

/// Limits that apply to every sensor.
package struct ValidationPolicy: Sendable, Equatable {
    /// Source time later than receive time by more than this → `clock_skew`.
    package var maxFutureSkewMs: Int64
    /// Source time earlier than receive time by more than this → `clock_skew`.
    package var maxPastAgeMs: Int64
    /// Older than the sensor's newest reading by more than this → `out_of_order`.
    package var outOfOrderToleranceMs: Int64
    /// Sensors the daemon keeps state for; a reading of a new sensor beyond this → `series_limit`.
    /// Bounds validator, storage-head, detector and alert state (each is per sensor).
    package var maxSeries: Int
    /// Distinct units one sensor may use; a reading with a new unit beyond this → `unit_limit`.
    package var maxUnitsPerSeries: Int

    package init(maxFutureSkewMs: Int64 = 300_000, maxPastAgeMs: Int64 = 7 * 86_400_000, outOfOrderToleranceMs: Int64 = 300_000,
                 maxSeries: Int = 50_000, maxUnitsPerSeries: Int = 16) {
        self.maxFutureSkewMs = maxFutureSkewMs
        self.maxPastAgeMs = maxPastAgeMs
        self.outOfOrderToleranceMs = outOfOrderToleranceMs
        self.maxSeries = max(1, maxSeries)
        self.maxUnitsPerSeries = max(1, maxUnitsPerSeries)
    }
}

/// Why a reading was kept with a lower quality than the device gave it.
package enum Downgrade: String, Sendable, CaseIterable, Hashable {
    /// Outside the sensor's `plausible` range (but inside its instrument `range`).
    case implausible
    /// Changed faster than `max_rate` and `rate_action = "downgrade"`.
    case rateOfChange = "rate_of_change"
    /// The payload's unit differs from the configured one.
    case unitMismatch = "unit_mismatch"
}

/// The validation verdict for one decoded item.
package enum Verdict: Sendable, Equatable {
    /// Store it. `downgrades` lists why its quality was lowered (empty when untouched).
    /// `slot` is the sensor's slot in this validator: a small integer (below `max_series` plus
    /// the concrete entries), the same for every reading of the sensor for as long as the
    /// validator knows it, so that later stages keep per-sensor state in arrays instead of
    /// maps hashed by id. A reload that removes the sensor's entry frees its slot and a later
    /// sensor may take it: a stage that outlives a reload checks the id it stored.
    case accept(Reading, specIndex: Int, downgrades: [Downgrade], slot: Int)
    /// Quarantine it. `sensor` is set when the topic resolved to a sensor.
    case reject(RejectReason, detail: String, sensor: String?)
}

/// Validates decoded items against the sensor catalog. Pure: time comes in as arguments.
///
/// It keeps a little state per sensor (newest source time and value for duplicate, order and
/// rate checks; last receive time for staleness; a hash of each unit seen) — at most
/// `policy.maxSeries` sensors with at most `policy.maxUnitsPerSeries` unit hashes each.
package struct Validator: Sendable {
    package internal(set) var catalog: SensorCatalog
    package internal(set) var policy: ValidationPolicy
    /// Each known sensor's slot: its index in `slotIDs` and `states`.
    var slotOf: [String: Int] = [:]
    /// The sensor of each slot; nil: a free slot (its sensor's entry went away in a reload),
    /// listed in `freeSlots` for the next new sensor. Apart from `states` so that checking a
    /// slot's sensor copies no state.
    var slotIDs: [String?] = []
    /// The known sensors' state by slot (a free slot's is left over, never read).
    var states: [SensorState] = []
    var freeSlots: [Int] = []
    /// Sensors a Sparkplug death marked stale: stale until their next reading, whatever their
    /// deadman says (a subset of the known sensors, so bounded by `max_series`).
    var diedStale: Set<String> = []

    /// How far past its receive time a reading without a source time may be stamped to give it
    /// a millisecond of its own (a backlog of one sensor's bare values delivered at once). At
    /// most a second: a stored time stays within a second of when the reading came. Beyond it
    /// the reading keeps its receive time and the ordinary checks decide, as before: out of
    /// order past the tolerance, or storage's duplicate check when that millisecond is stored.
    static let untimedShiftLimitMs: Int64 = 1_000

    struct SensorState: Sendable {
        var specIndex: Int
        var newestSourceTime: Timestamp?
        var newestValue: Double?
        var lastReceive: Timestamp
        var stale: Bool
        /// `UnitHash` of each distinct unit stored for this sensor (nil unit included).
        var units: [UInt64] = []
    }

    package init(catalog: SensorCatalog, policy: ValidationPolicy, start: Timestamp) {
        self.catalog = catalog
        self.policy = policy
        // Sensors named by a concrete topic are expected from the start: if they never
        // report, they go stale.
        for (i, spec) in catalog.specs.enumerated() where spec.namesOneSensor {
            let id = spec.sensorID(topic: spec.topic.text, captures: [:])
            states[slotOf[id] ?? newSlot(for: id)] = SensorState(specIndex: i, lastReceive: start, stale: false)
        }
    }

    /// Gives `id` a slot (a free one, else a new one at the end); its state is the caller's
    /// to set.
    mutating func newSlot(for id: String) -> Int {
        let slot: Int
        if let free = freeSlots.popLast() {
            slot = free
            slotIDs[slot] = id
        } else {
            slot = states.count
            slotIDs.append(id)
            states.append(SensorState(specIndex: 0, lastReceive: Timestamp(millisecondsSinceEpoch: 0), stale: false))
        }
        slotOf[id] = slot
        return slot
    }

    /// Frees `slot` (its sensor is forgotten).
    mutating func freeSlot(_ slot: Int) {
        guard let id = slotIDs[slot] else { return }
        slotOf[id] = nil
        slotIDs[slot] = nil
        states[slot].units = []
        freeSlots.append(slot)
    }

    /// Resolves a topic (and, for a many-metric item, its metric and tags) to its sensor (nil
    /// when no entry takes it).
    package mutating func resolve(topic: String, metric: String? = nil, tags: [String: String] = [:]) -> SensorCatalog.Resolution? {
        catalog.resolve(topic, metric: metric, tags: tags)
    }

    /// How payloads on `topic` are decoded (see `SensorCatalog.payloadFormat`).
    package mutating func payloadFormat(topic: String) -> PayloadFormat {
        catalog.payloadFormat(topic: topic)
    }

    package mutating func validate(topic messageTopic: String, item: DecodedItem, receiveTime: Timestamp) -> Verdict {
        // A Sparkplug item names its own (DATA) topic; every other item is its message's.
        let topic = item.topic ?? messageTopic
        let (found, hint) = catalog.resolveWithSlot(topic, metric: item.metric, tags: item.tags)
        guard let resolution = found else {
            if let metric = item.metric {
                return .reject(.unknownSensor, detail: "no [[sensor]] pattern matches topic with metric \"\(metric)\"", sensor: nil)
            }
            return .reject(.unknownSensor, detail: "no [[sensor]] pattern matches topic", sensor: nil)
        }
        let id = resolution.sensorID
        if !diedStale.isEmpty { diedStale.remove(id) }
        // The spec is read field by field in place (`specs[s].…`): a copy of it per reading
        // retained every one of its strings and arrays.
        let s = resolution.specIndex
        // A known sensor's state is found by its slot, which the catalog noted beside the
        // topic: no hash of the id for each reading. The hint is checked (the catalog may
        // have been emptied, and a slot freed by a reload given to another sensor).
        var slot = -1
        if hint >= 0, hint < slotIDs.count, slotIDs[hint] == id {
            slot = hint
        } else if let known = slotOf[id] {
            slot = known
            catalog.noteSlot(known, topic: topic, metric: item.metric, tags: item.tags)
        }
        var state: SensorState
        if slot >= 0 {
            state = states[slot]
        } else {
            // Before any state exists for it: a sensor refused here costs no memory.
            guard slotOf.count < policy.maxSeries else {
                return .reject(.seriesLimit, detail: "\(slotOf.count) sensors known, max_series is \(policy.maxSeries)", sensor: id)
            }
            slot = newSlot(for: id)
            catalog.noteSlot(slot, topic: topic, metric: item.metric, tags: item.tags)
            state = SensorState(specIndex: resolution.specIndex, lastReceive: receiveTime, stale: false)
        }
        state.lastReceive = max(state.lastReceive, receiveTime)
        defer { states[slot] = state }

        let value: DecimalValue
        switch item.value {
        case .notANumber(let text):
            return .reject(.nan, detail: "value is \(text)", sensor: id)
        case .number(let v):
            value = v
        }

        var flags: ReadingFlags = []
        let sourceTime: Timestamp
        var timeShifted = false
        if let t = item.sourceTime {
            sourceTime = t
            // Saturating: a device can send any Int64 and must not crash the daemon.
            let (diff, overflow) = t.millisecondsSinceEpoch.subtractingReportingOverflow(receiveTime.millisecondsSinceEpoch)
            let ahead = overflow ? (t > receiveTime ? Int64.max : Int64.min + 1) : max(diff, Int64.min + 1)
            if ahead > policy.maxFutureSkewMs {
                return .reject(.clockSkew, detail: "source time \(t) is \(ahead) ms ahead of receive time \(receiveTime)", sensor: id)
            }
            if -ahead > policy.maxPastAgeMs {
                return .reject(.clockSkew, detail: "source time \(t) is \(-ahead) ms behind receive time \(receiveTime)", sensor: id)
            }
        } else {
            flags.insert(.sourceTimeMissing)
            if let newest = state.newestSourceTime, newest >= receiveTime,
               receiveTime.milliseconds(to: newest) < Validator.untimedShiftLimitMs {
                // The sensor already has a reading at (or just past) this receive time: two
                // messages of one sensor received in the same millisecond — a broker's backlog
                // after a reconnect, a replay at full speed. They are two readings, not one sent
                // twice (the delivery ledger catches resends), so the later one takes the next
                // free millisecond rather than being quarantined as a duplicate. Its gap to the
                // previous reading is not known, so it skips the rate-of-change check.
                sourceTime = newest.adding(milliseconds: 1)
                timeShifted = true
            } else {
                sourceTime = receiveTime
            }
        }

        if let newest = state.newestSourceTime {
            if sourceTime == newest {
                return .reject(.duplicate, detail: "a reading at \(sourceTime) was already received", sensor: id)
            }
            let behind = newest.millisecondsSinceEpoch.subtractingReportingOverflow(sourceTime.millisecondsSinceEpoch).overflow
                ? Int64.max : sourceTime.milliseconds(to: newest)
            if behind > policy.outOfOrderToleranceMs {
                return .reject(.outOfOrder, detail: "\(behind) ms older than the newest reading (tolerance \(policy.outOfOrderToleranceMs) ms)", sensor: id)
            }
        }

        let x = value.doubleValue
        if let range = catalog.specs[s].range, !range.contains(x) {
            return .reject(.outOfRange, detail: "value \(value) outside range [\(range.lowerBound), \(range.upperBound)]", sensor: id)
        }

        let unit = item.unit ?? catalog.specs[s].unit
        let unitHash = UnitHash.of(unit)
        if !state.units.contains(unitHash) {
            guard state.units.count < policy.maxUnitsPerSeries else {
                return .reject(.unitLimit, detail: "sensor already has \(state.units.count) distinct units, max_units_per_series is \(policy.maxUnitsPerSeries)", sensor: id)
            }
            state.units.append(unitHash)
        }

        var downgrades: [Downgrade] = []
        if let plausible = catalog.specs[s].plausible, !plausible.contains(x) {
            downgrades.append(.implausible)
        }
        if !timeShifted, let maxRate = catalog.specs[s].maxRatePerSecond, let newest = state.newestSourceTime, let last = state.newestValue, sourceTime > newest {
            let seconds = Double(newest.milliseconds(to: sourceTime)) / 1000
            let rate = abs(x - last) / seconds
            if rate > maxRate {
                if catalog.specs[s].rateAction == .quarantine {
                    return .reject(.rateOfChange, detail: "changed \(rate) per s, max_rate is \(maxRate)", sensor: id)
                }
                downgrades.append(.rateOfChange)
            }
        }
        if let expected = catalog.specs[s].unit, let got = item.unit, got != expected {
            downgrades.append(.unitMismatch)
        }

        var quality = item.quality ?? .good
        if !downgrades.isEmpty {
            quality = quality.worst(.uncertain)
            flags.insert(.qualityDowngraded)
        }

        if state.newestSourceTime.map({ sourceTime > $0 }) ?? true {
            state.newestSourceTime = sourceTime
            state.newestValue = x
        }
        let reading = Reading(
            sensor: id, sourceTime: sourceTime, receiveTime: receiveTime, value: value,
            unit: unit, quality: quality, flags: flags
        )
        return .accept(reading, specIndex: resolution.specIndex, downgrades: downgrades, slot: slot)
    }

    /// A sensor went stale or came back.
    package struct StaleTransition: Sendable, Equatable {
        package var sensor: String
        package var specIndex: Int
        package var stale: Bool
        /// When the sensor was last heard from.
        package var lastReceive: Timestamp
    }

    /// A Sparkplug death (NDEATH, DDEATH): the sensor of `metric` on `topic` has no current
    /// value until its next reading. Returns the transition when it was not stale already; nil
    /// for a sensor never heard from (nothing to mark).
    package mutating func markStale(topic: String, metric: String?, at time: Timestamp) -> StaleTransition? {
        guard let resolution = catalog.resolve(topic, metric: metric, tags: [:]),
              let slot = slotOf[resolution.sensorID] else { return nil }
        var s = states[slot]
        let id = resolution.sensorID
        diedStale.insert(id)
        guard !s.stale else { return nil }
        s.stale = true
        states[slot] = s
        return StaleTransition(sensor: id, specIndex: s.specIndex, stale: true, lastReceive: s.lastReceive)
    }

    /// Checks every known sensor's deadman at `now`; returns the sensors that changed state
    /// since the last call (went stale, or reported again after being stale).
    package mutating func checkStale(now: Timestamp) -> [StaleTransition] {
        var out: [StaleTransition] = []
        for slot in states.indices {
            guard let id = slotIDs[slot] else { continue }
            var s = states[slot]
            // Dead by its edge node's word, whatever the deadman says, until it reports again.
            if !diedStale.isEmpty, diedStale.contains(id) { continue }
            // A sensor marked stale by a death and reporting again comes back even without a deadman.
            guard let limit = catalog.specs[s.specIndex].staleAfterMs else {
                if s.stale {
                    s.stale = false
                    states[slot] = s
                    out.append(StaleTransition(sensor: id, specIndex: s.specIndex, stale: false, lastReceive: s.lastReceive))
                }
                continue
            }
            let isStale = s.lastReceive.milliseconds(to: now) > limit
            if isStale != s.stale {
                s.stale = isStale
                states[slot] = s
                out.append(StaleTransition(sensor: id, specIndex: s.specIndex, stale: isStale, lastReceive: s.lastReceive))
            }
        }
        return out.sorted { $0.sensor < $1.sensor }
    }

    /// How many distinct sensors have been seen or expected.
    package var sensorCount: Int { slotOf.count }

    /// The ids of the distinct sensors seen or expected, in no particular order.
    package var sensorIDs: [String] { Array(slotOf.keys) }
}

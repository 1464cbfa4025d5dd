import TinsenseCore

extension Validator {
    /// Takes the sensors and limits of a reloaded config (SIGHUP), between two messages.
    ///
    /// What a sensor's state records is a fact about its data (newest source time and value,
    /// units seen, when it last reported), not about the config, so it is kept for every sensor
    /// whose entry still exists — found by its topic pattern — and duplicate, order and rate
    /// checks carry on across the reload. Sensors whose entry was removed are forgotten; the
    /// concrete topics of new entries are expected from `now` on (they go stale if silent).
    /// Entries sharing a topic pattern are told apart by their `metric` filter.
    package mutating func reconfigure(catalog newCatalog: SensorCatalog, policy newPolicy: ValidationPolicy, now: Timestamp) {
        let oldSpecs = catalog.specs
        var indexByPattern: [String: Int] = [:]
        func entryKey(_ spec: SensorSpec) -> String { spec.topic.text + "\u{0}" + (spec.metric?.text ?? "") }
        for (i, spec) in newCatalog.specs.enumerated() where indexByPattern[entryKey(spec)] == nil {
            indexByPattern[entryKey(spec)] = i
        }
        // A kept sensor keeps its slot (later stages find their state by it); a forgotten
        // one's slot is freed for the next new sensor.
        for slot in states.indices {
            guard let id = slotIDs[slot] else { continue }
            let old = states[slot].specIndex
            if old < oldSpecs.count, let i = indexByPattern[entryKey(oldSpecs[old])] {
                states[slot].specIndex = i
            } else {
                diedStale.remove(id)
                freeSlot(slot)
            }
        }
        for (i, spec) in newCatalog.specs.enumerated() where spec.namesOneSensor {
            let id = spec.sensorID(topic: spec.topic.text, captures: [:])
            if slotOf[id] == nil { states[newSlot(for: id)] = SensorState(specIndex: i, lastReceive: now, stale: false) }
        }
        catalog = newCatalog
        policy = newPolicy
    }

    /// The config entry (catalog index) each known sensor resolved to: lets the daemon tell
    /// which detectors belong to entries a reload left unchanged.
    package var entryIndexBySensor: [String: Int] {
        var out: [String: Int] = [:]
        out.reserveCapacity(slotOf.count)
        for (slot, id) in slotIDs.enumerated() { if let id { out[id] = states[slot].specIndex } }
        return out
    }
}

import TinsenseCore

extension Validator {
    /// Takes the sensors and limits of a reloaded config (SIGHUP), between two messages.
    ///
    /// What a sensor's state records is a fact about its data (newest source time and value,
    /// units seen, when it last reported), not about the config, so it is kept for every sensor
    /// whose entry still exists — found by its topic pattern — and duplicate, order and rate
    /// checks carry on across the reload. Sensors whose entry was removed are forgotten; the
    /// concrete topics of new entries are expected from `now` on (they go stale if silent).
    package mutating func reconfigure(catalog newCatalog: SensorCatalog, policy newPolicy: ValidationPolicy, now: Timestamp) {
        let oldSpecs = catalog.specs
        var indexByPattern: [String: Int] = [:]
        for (i, spec) in newCatalog.specs.enumerated() where indexByPattern[spec.topic.text] == nil {
            indexByPattern[spec.topic.text] = i
        }
        var kept: [String: SensorState] = [:]
        kept.reserveCapacity(sensors.count)
        for (id, var state) in sensors {
            guard state.specIndex < oldSpecs.count, let i = indexByPattern[oldSpecs[state.specIndex].topic.text] else { continue }
            state.specIndex = i
            kept[id] = state
        }
        for (i, spec) in newCatalog.specs.enumerated() where spec.topic.isConcrete {
            let id = spec.sensorID(topic: spec.topic.text, captures: [:])
            if kept[id] == nil { kept[id] = SensorState(specIndex: i, lastReceive: now, stale: false) }
        }
        catalog = newCatalog
        policy = newPolicy
        sensors = kept
    }

    /// The config entry (catalog index) each known sensor resolved to: lets the daemon tell
    /// which detectors belong to entries a reload left unchanged.
    package var entryIndexBySensor: [String: Int] {
        sensors.mapValues(\.specIndex)
    }
}

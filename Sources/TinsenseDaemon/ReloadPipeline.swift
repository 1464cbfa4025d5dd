import TinsenseConfig
import TinsenseCore
import TinsenseDecode
import TinsenseValidate

extension Pipeline {
    /// Puts a reloaded config (already reduced to its reloadable parts by `ReloadPlan`) in
    /// force. Runs on the pipeline thread between two messages: the next message is validated
    /// and scored under the new config, the previous one was entirely under the old.
    func reload(_ config: Config, now: Timestamp) -> ReloadSlot.Applied {
        let entryOf = validator.entryIndexBySensor
        let detectors = detection?.reconfigure(to: config, entryOf: entryOf) ?? (kept: 0, reset: 0)
        validator.reconfigure(catalog: SensorCatalog(specs: config.sensorSpecs), policy: config.validationPolicy, now: now)
        limits = DecodeLimits(maxPayloadBytes: limits.maxPayloadBytes, maxBatch: config.validation.maxBatch)
        return ReloadSlot.Applied(detectorsKept: detectors.kept, detectorsReset: detectors.reset, sensorsKnown: validator.sensorCount)
    }
}

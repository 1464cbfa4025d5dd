import TinsenseConfig
import TinsenseStorage

extension StorageOptions {
    /// The storage engine's options from the `[storage]` section.
    package init(config s: Config.Storage) {
        self.init(
            sealIntervalMs: Int64(s.sealIntervalSeconds) * 1000,
            headMaxSamples: s.headMaxSamples,
            outOfOrderToleranceMs: Int64(s.outOfOrderToleranceSeconds) * 1000,
            retentionAgeMs: s.retentionDays > 0 ? Int64(s.retentionDays) * 86_400_000 : nil,
            retentionBytes: s.retentionMaxGB > 0 ? Int64(s.retentionMaxGB * 1e9) : nil
        )
    }
}

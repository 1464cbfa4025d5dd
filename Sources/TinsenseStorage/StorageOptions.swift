/// The knobs of the segment store; the daemon fills them from `[storage]` in the config.
public struct StorageOptions: Sendable, Equatable {
    /// Seal the head into a segment once it is this old (ms since the first
    /// `sealDueAndApplyRetention` that saw it non-empty). Bounds how much WAL a restart replays.
    public var sealIntervalMs: Int64
    /// Seal as soon as the head holds this many samples: bounds head memory (about 7 bytes
    /// per sample plus ~0.8 KB per series).
    public var headMaxSamples: Int
    /// A reading may be this much older than its series' newest reading and still be stored
    /// (in order); older ones are refused as `.tooLate`.
    public var outOfOrderToleranceMs: Int64
    /// Remove whole segments whose newest sample is older than this (nil = keep).
    public var retentionAgeMs: Int64?
    /// Remove the oldest segments while all segments together exceed this (nil = no limit).
    public var retentionBytes: Int64?
    /// Longest chunk written into a segment; longer series get several chunks.
    public var chunkMaxSamples: Int
    /// zstd level of sealed chunks.
    public var compressionLevel: Int32

    public init(
        sealIntervalMs: Int64 = 15 * 60_000,
        headMaxSamples: Int = 2_000_000,
        outOfOrderToleranceMs: Int64 = 5 * 60_000,
        retentionAgeMs: Int64? = nil,
        retentionBytes: Int64? = nil,
        chunkMaxSamples: Int = 16_384,
        compressionLevel: Int32 = 3
    ) {
        self.sealIntervalMs = sealIntervalMs
        self.headMaxSamples = max(1, headMaxSamples)
        self.outOfOrderToleranceMs = max(0, outOfOrderToleranceMs)
        self.retentionAgeMs = retentionAgeMs
        self.retentionBytes = retentionBytes
        self.chunkMaxSamples = min(max(16, chunkMaxSamples), 1 << 20)
        self.compressionLevel = compressionLevel
    }
}

/// The bounds of everything the Sparkplug decoder keeps or accepts, so no input can grow
/// memory without limit. Defaults suit a large plant (hundreds of edge nodes, thousands of
/// metrics each); `docs/SPARKPLUG.md` lists them.
package struct SparkplugLimits: Sendable, Equatable {
    /// Largest payload decoded; longer ones are refused as `too_large` before parsing.
    package var maxPayloadBytes: Int
    /// Most metrics one payload may carry.
    package var maxMetricsPerPayload: Int
    /// Most edge nodes tracked at once; a BIRTH from one more is refused (`series_limit`).
    package var maxEdgeNodes: Int
    /// Most devices per edge node.
    package var maxDevicesPerNode: Int
    /// Most aliases (metric definitions from NBIRTH and DBIRTH) per edge node.
    package var maxAliasesPerNode: Int
    /// Most out-of-order messages held per edge node while waiting for a missing `seq`.
    package var maxHeldMessagesPerNode: Int
    /// How long an out-of-order message is held waiting for the missing ones (receive time).
    package var reorderTimeoutMilliseconds: Int64
    /// Protobuf nesting depth accepted (templates and property sets nest).
    package var maxMessageDepth: Int

    package init(
        maxPayloadBytes: Int = 65_536,
        maxMetricsPerPayload: Int = 10_000,
        maxEdgeNodes: Int = 1_000,
        maxDevicesPerNode: Int = 1_000,
        maxAliasesPerNode: Int = 50_000,
        maxHeldMessagesPerNode: Int = 32,
        reorderTimeoutMilliseconds: Int64 = 2_000,
        maxMessageDepth: Int = 16
    ) {
        self.maxPayloadBytes = maxPayloadBytes
        self.maxMetricsPerPayload = maxMetricsPerPayload
        self.maxEdgeNodes = maxEdgeNodes
        self.maxDevicesPerNode = maxDevicesPerNode
        self.maxAliasesPerNode = maxAliasesPerNode
        self.maxHeldMessagesPerNode = maxHeldMessagesPerNode
        self.reorderTimeoutMilliseconds = reorderTimeoutMilliseconds
        self.maxMessageDepth = maxMessageDepth
    }
}

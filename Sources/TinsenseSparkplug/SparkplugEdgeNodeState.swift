import TinsenseCore

/// A metric as a BIRTH declared it: what an alias stands for.
struct SparkplugMetricDefinition: Sendable, Equatable {
    var key: SparkplugMetricKey
    var dataType: SparkplugDataType?
    var unit: String?
}

/// A message held back because it arrived ahead of a missing `seq`.
struct SparkplugHeldMessage: Sendable {
    var topic: SparkplugTopic
    var payload: SparkplugPayload
    var seq: UInt8
    var receivedAt: Timestamp
}

/// What the session knows of one edge node: its current birth (bdSeq, aliases), its devices,
/// its sequence position and the messages held for reordering. Every map is bounded by
/// `SparkplugLimits` (the session checks before inserting).
struct SparkplugEdgeNodeState: Sendable {
    /// bdSeq of the current NBIRTH; nil when it carried none.
    var bdSeq: UInt64?
    /// True between an NBIRTH and the NDEATH that matches it.
    var isAlive = false
    /// `seq` of the last message applied; nil when the node does not send one.
    var lastSeq: UInt8?
    /// Aliases are unique per edge node, across the node's own metrics and its devices'.
    var aliases: [UInt64: SparkplugMetricDefinition] = [:]
    /// Metrics by device (nil: the node's own) and name, for DATA that names instead of aliasing.
    var byName: [SparkplugMetricScope: [String: SparkplugMetricDefinition]] = [:]
    /// Devices that sent a DBIRTH since the node's NBIRTH, and whether they are alive.
    var devices: [String: Bool] = [:]
    /// Out-of-order messages, at most `maxHeldMessagesPerNode`.
    var held: [SparkplugHeldMessage] = []

    /// Every definition the node holds (aliased or named), for the alias bound.
    var definitionCount: Int { byName.values.reduce(0) { $0 + $1.count } }

    /// The metrics of one device (or of the node itself, `device` nil).
    func metricKeys(device: String?) -> [SparkplugMetricKey] {
        (byName[SparkplugMetricScope(device: device)] ?? [:]).values.map(\.key).sorted { $0.name < $1.name }
    }

    /// Every metric of the node and its devices.
    func allMetricKeys() -> [SparkplugMetricKey] {
        byName.keys.sorted { ($0.device ?? "") < ($1.device ?? "") }.flatMap { metricKeys(device: $0.device) }
    }

    /// Forgets one device's definitions (before its rebirth replaces them).
    mutating func removeDefinitions(device: String?) {
        let scope = SparkplugMetricScope(device: device)
        byName[scope] = nil
        aliases = aliases.filter { $0.value.key.device != device }
    }
}

/// The node itself (device nil) or one of its devices.
struct SparkplugMetricScope: Sendable, Hashable {
    var device: String?
}

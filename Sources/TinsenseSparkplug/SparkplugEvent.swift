import TinsenseCore

/// Where a metric lives: its edge node, its device (nil for the node's own metrics) and its
/// name from the BIRTH. The message type is not part of it, so a metric's BIRTH value and its
/// later DATA values belong to the same sensor.
package struct SparkplugMetricKey: Sendable, Hashable, CustomStringConvertible {
    package var edgeNode: SparkplugTopic.EdgeNode
    package var device: String?
    package var name: String

    package init(edgeNode: SparkplugTopic.EdgeNode, device: String?, name: String) {
        self.edgeNode = edgeNode
        self.device = device
        self.name = name
    }

    package var description: String {
        "\(edgeNode)" + (device.map { "/\($0)" } ?? "") + "/\(name)"
    }
}

/// A metric value the session accepted as a reading.
package struct SparkplugReading: Sendable, Equatable {
    package var key: SparkplugMetricKey
    package var value: SparkplugValue
    /// The metric's timestamp, else the payload's; nil when neither was sent.
    package var sourceTime: Timestamp?
    package var unit: String?
    /// From the `Quality` property (0/192/500), nil when the metric had none.
    package var quality: Quality?
    /// `is_historical`: a value from the device's buffer, not the current one.
    package var isHistorical: Bool
    /// Which message carried it (BIRTH or DATA); for diagnostics only, never in a sensor id.
    package var messageType: SparkplugTopic.MessageType

    package init(key: SparkplugMetricKey, value: SparkplugValue, sourceTime: Timestamp?, unit: String?,
                 quality: Quality?, isHistorical: Bool, messageType: SparkplugTopic.MessageType) {
        self.key = key
        self.value = value
        self.sourceTime = sourceTime
        self.unit = unit
        self.quality = quality
        self.isHistorical = isHistorical
        self.messageType = messageType
    }
}

/// What the session made of a message (or of time passing, for held messages).
package enum SparkplugEvent: Sendable, Equatable {
    case reading(SparkplugReading)
    /// One metric refused; `key` when the metric could be named, with the message's topic.
    case rejected(topic: SparkplugTopic, key: SparkplugMetricKey?, DecodeFailure)
    /// A death (NDEATH for a node and all its devices, DDEATH for one device): these metrics
    /// have no current value until the next BIRTH.
    case stale(edgeNode: SparkplugTopic.EdgeNode, device: String?, metrics: [SparkplugMetricKey], at: Timestamp)
}

/// Running counts of what the session saw; the daemon exports them as metrics.
package struct SparkplugCounters: Sendable, Equatable {
    /// `seq` numbers that never arrived within the reorder timeout (each missing number counts).
    package var sequenceGaps = 0
    /// Messages that arrived out of order and were put back in order while held.
    package var reordered = 0
    /// Messages older than the current sequence (after a gap was given up on), passed on as they are.
    package var lateMessages = 0
    /// NDEATHs whose bdSeq did not match the current NBIRTH's (a previous session's will).
    package var staleDeathsIgnored = 0
    /// NCMD, DCMD and STATE messages: commands and host state, not readings.
    package var ignoredMessages = 0
    /// Metrics refused (unknown alias, never born, not numeric, …).
    package var rejectedItems = 0
    /// Births accepted (NBIRTH and DBIRTH).
    package var births = 0
    /// Deaths accepted (NDEATH matching its birth, DDEATH).
    package var deaths = 0

    package init() {}
}

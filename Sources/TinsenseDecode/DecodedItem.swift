import TinsenseCore

/// One measurement as the payload stated it, before validation gives it meaning.
package struct DecodedItem: Sendable, Equatable {
    package enum Value: Sendable, Equatable {
        case number(DecimalValue)
        /// `NaN`, `Infinity`, `null` and the like, with the text seen; validation rejects it as `nan`.
        case notANumber(String)
    }

    package var value: Value
    /// The payload's own timestamp, nil when it carried none.
    package var sourceTime: Timestamp?
    package var unit: String?
    package var quality: Quality?
    /// The metric's name inside a message that carries many (line protocol `measurement/field`,
    /// a Sparkplug metric name); nil for JSON and bare numbers, whose topic is the sensor.
    /// With the topic it selects the `[[sensor]]` entry (`metric` filter) and the sensor id
    /// (`{metric}` in `id`).
    package var metric: String?
    /// Labels the message gave this metric (line-protocol tags), for `{tag.NAME}` in `id`.
    /// A dictionary so that the order a device lists them in never changes a sensor's identity.
    package var tags: [String: String]
    /// The topic this item is validated under when it is not the message's own: a Sparkplug
    /// metric's DATA topic (its BIRTH value and a message released from reordering included).
    package var topic: String?

    package init(value: Value, sourceTime: Timestamp? = nil, unit: String? = nil, quality: Quality? = nil,
                 metric: String? = nil, tags: [String: String] = [:], topic: String? = nil) {
        self.value = value
        self.sourceTime = sourceTime
        self.unit = unit
        self.quality = quality
        self.metric = metric
        self.tags = tags
        self.topic = topic
    }
}

/// Limits the decoder enforces before doing any work on a payload.
package struct DecodeLimits: Sendable, Equatable {
    package var maxPayloadBytes: Int
    package var maxBatch: Int

    package init(maxPayloadBytes: Int = 65_536, maxBatch: Int = 1_000) {
        self.maxPayloadBytes = maxPayloadBytes
        self.maxBatch = maxBatch
    }
}

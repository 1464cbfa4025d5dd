import TinsenseCore
import TinsenseSparkplug

/// Where Sparkplug B decoding plugs into `MessageDecoder`: TinsenseSparkplug's session (alias
/// maps from BIRTH certificates, `seq` reordering and `bdSeq` per edge node, deaths; bounded
/// by `SparkplugLimits`), with its events turned into decoded items.
///
/// - Each metric value becomes one item whose `metric` is the metric's name and whose `topic`
///   is the DATA topic of its node or device (`spBv1.0/G/NDATA/N`, `spBv1.0/G/DDATA/N/D`), so
///   a BIRTH's value and later DATA values of one metric resolve to one sensor, and a message
///   held for reordering and released by a later one keeps its own topic.
/// - A death leaves `staleMarks` (one per metric of the node or device) for the caller to
///   hand to the validator (`Validator.markStale`).
package struct SparkplugSession: Sendable {
    private var session = TinsenseSparkplug.SparkplugSession()
    /// The marks of the deaths in the last decoded message, until `takeStaleMarks`.
    package private(set) var staleMarks: [SparkplugStaleMark] = []

    package init() {}

    /// Messages held for reordering: while any is, the WAL checkpoint must not pass them.
    package var heldMessageCount: Int { session.heldMessageCount }
    package var counters: SparkplugCounters { session.counters }

    /// The stale marks of the last message, cleared.
    package mutating func takeStaleMarks() -> [SparkplugStaleMark] {
        defer { staleMarks = [] }
        return staleMarks
    }

    /// Decodes one message on a `spBv1.0/...` topic; size and emptiness are already checked.
    /// Items carry the metric's name in `DecodedItem.metric`.
    package mutating func decode(topic: String, payload: UnsafeRawBufferPointer, receiveTime: Timestamp, limits: DecodeLimits) -> PayloadDecoder.Outcome {
        staleMarks = []
        if session.limits.maxPayloadBytes != limits.maxPayloadBytes {
            var adjusted = session.limits
            adjusted.maxPayloadBytes = limits.maxPayloadBytes
            session.limits = adjusted
        }
        switch session.receive(topic: topic, payload: Array(payload), receivedAt: receiveTime) {
        case .failure(let error):
            return .failure(error)
        case .success(let events):
            var items: [Result<DecodedItem, DecodeFailure>] = []
            items.reserveCapacity(events.count)
            for event in events {
                switch event {
                case .reading(let r):
                    let value: DecodedItem.Value
                    switch r.value {
                    case .number(let d): value = .number(d)
                    case .notANumber(let text): value = .notANumber(text)
                    }
                    items.append(.success(DecodedItem(value: value, sourceTime: r.sourceTime, unit: r.unit, quality: r.quality,
                                                      metric: r.key.name, topic: Self.dataTopic(r.key))))
                case .rejected(_, let key, let failure):
                    let detail = key.map { "\(failure.detail) (metric \"\($0.name.prefix(64))\")" } ?? failure.detail
                    items.append(.failure(DecodeFailure(failure.reason, detail)))
                case .stale(_, _, let metrics, let at):
                    for key in metrics {
                        staleMarks.append(SparkplugStaleMark(topic: Self.dataTopic(key), metric: key.name, time: at))
                    }
                }
            }
            return .items(items)
        }
    }

    /// The DATA topic a metric's values arrive on: the message type never varies a sensor.
    static func dataTopic(_ key: SparkplugMetricKey) -> String {
        SparkplugTopic(type: key.device == nil ? .ndata : .ddata, edgeNode: key.edgeNode, device: key.device).description
    }
}

/// One metric a Sparkplug death (NDEATH, DDEATH) left without a current value.
package struct SparkplugStaleMark: Sendable, Equatable {
    package var topic: String
    package var metric: String
    package var time: Timestamp
}

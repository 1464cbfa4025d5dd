import TinsenseCore

/// Turning a BIRTH's or DATA's metrics into definitions and readings.
extension SparkplugSession {
    /// Records a BIRTH's metric definitions (aliases, names, datatypes, units) and returns its
    /// values as readings: a BIRTH certificate carries each metric's current value.
    mutating func define(_ node: inout SparkplugEdgeNodeState, _ topic: SparkplugTopic, _ payload: SparkplugPayload,
                         _ receivedAt: Timestamp) -> [SparkplugEvent] {
        var events: [SparkplugEvent] = []
        let scope = SparkplugMetricScope(device: topic.device)
        for metric in payload.metrics {
            guard metric.hasName, !metric.name.isEmpty else {
                events.append(reject(topic, nil, .init(.malformed, "a BIRTH metric without a name")))
                continue
            }
            if Self.isProtocolMetric(metric.name) { continue }
            let key = SparkplugMetricKey(edgeNode: topic.edgeNode, device: topic.device, name: metric.name)
            if metric.hasAlias, let other = node.aliases[metric.alias], other.key != key {
                events.append(reject(topic, key, .init(.malformed, "alias \(metric.alias) already names \(other.key.name) on this edge node")))
                continue
            }
            let known = node.byName[scope]?[metric.name] != nil
            if !known, node.definitionCount >= limits.maxAliasesPerNode {
                events.append(reject(topic, key, .init(.seriesLimit, "more than \(limits.maxAliasesPerNode) metrics on edge node \(topic.edgeNode)")))
                continue
            }
            let definition = SparkplugMetricDefinition(key: key, dataType: metric.dataType, unit: metric.engineeringUnit)
            node.byName[scope, default: [:]][metric.name] = definition
            if metric.hasAlias { node.aliases[metric.alias] = definition }
            // A BIRTH may declare a metric without a current value (is_null, or no value at all):
            // a declaration, not a reading.
            if metric.value == nil || (metric.hasIsNull && metric.isNull) { continue }
            events.append(reading(metric, definition, topic, payload))
        }
        return events
    }

    /// NDATA/DDATA: each metric resolved by alias, else by name, against the live BIRTHs.
    func data(_ node: SparkplugEdgeNodeState, _ topic: SparkplugTopic, _ payload: SparkplugPayload) -> [SparkplugEvent] {
        var events: [SparkplugEvent] = []
        for metric in payload.metrics {
            if metric.hasName, Self.isProtocolMetric(metric.name) { continue }
            let definition: SparkplugMetricDefinition?
            if metric.hasAlias {
                definition = node.aliases[metric.alias].flatMap { $0.key.device == topic.device ? $0 : nil }
            } else if metric.hasName {
                definition = node.byName[SparkplugMetricScope(device: topic.device)]?[metric.name]
            } else {
                definition = nil
            }
            guard let definition else {
                let what = metric.hasAlias ? "alias \(metric.alias)" : metric.hasName ? "metric \"\(metric.name.prefix(64))\"" : "a metric with neither alias nor name"
                let whose = topic.device.map { "device \($0) of \(topic.edgeNode)" } ?? "edge node \(topic.edgeNode)"
                events.append(.rejected(topic: topic, key: nil, .init(.unknownMetric, "\(what) is not in the BIRTH of \(whose)")))
                continue
            }
            events.append(reading(metric, definition, topic, payload))
        }
        return events
    }

    /// One metric as a reading, or its refusal when the value is no number. `is_transient`
    /// metrics are read like any other: tinsense keeps what it is sent.
    private func reading(_ metric: SparkplugMetric, _ definition: SparkplugMetricDefinition, _ topic: SparkplugTopic,
                         _ payload: SparkplugPayload) -> SparkplugEvent {
        switch metric.readingValue(declaredType: definition.dataType) {
        case .failure(let failure):
            return .rejected(topic: topic, key: definition.key, failure)
        case .success(let value):
            let time = metric.hasTimestamp ? metric.timestamp : payload.hasTimestamp ? payload.timestamp : nil
            return .reading(SparkplugReading(
                key: definition.key,
                value: value,
                sourceTime: time.map { Timestamp(millisecondsSinceEpoch: Int64(clamping: $0)) },
                unit: metric.engineeringUnit ?? definition.unit,
                quality: metric.quality,
                isHistorical: metric.hasIsHistorical && metric.isHistorical,
                messageType: topic.type
            ))
        }
    }

    /// Every metric of a refused message, refused with the same reason (one event when it has none).
    func rejectAll(_ topic: SparkplugTopic, _ payload: SparkplugPayload, _ failure: DecodeFailure) -> [SparkplugEvent] {
        let metrics = payload.metrics.filter { !($0.hasName && Self.isProtocolMetric($0.name)) }
        guard !metrics.isEmpty else { return [reject(topic, nil, failure)] }
        return metrics.map { metric in
            let key = metric.hasName ? SparkplugMetricKey(edgeNode: topic.edgeNode, device: topic.device, name: metric.name) : nil
            return reject(topic, key, failure)
        }
    }

    func reject(_ topic: SparkplugTopic, _ key: SparkplugMetricKey?, _ failure: DecodeFailure) -> SparkplugEvent {
        .rejected(topic: topic, key: key, failure)
    }

    /// `bdSeq` and the `Node Control/…`/`Device Control/…` metrics run the protocol; they are
    /// not measurements.
    static func isProtocolMetric(_ name: String) -> Bool {
        name == SparkplugPropertyName.bdSeq || SparkplugPropertyName.controlPrefixes.contains { name.hasPrefix($0) }
    }
}

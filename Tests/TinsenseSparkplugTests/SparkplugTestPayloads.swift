import TinsenseCore
@testable import TinsenseSparkplug

/// Payload building for the tests, in the words of the specification.
enum TestPayloads {
    static let node = SparkplugTopic.EdgeNode(group: "tinmine", node: "pilot1")
    static let t0 = Timestamp(millisecondsSinceEpoch: 1_795_750_000_000)

    static func topic(_ type: SparkplugTopic.MessageType, device: String? = nil, node: SparkplugTopic.EdgeNode = node) -> SparkplugTopic {
        SparkplugTopic(type: type, edgeNode: node, device: device)
    }

    static func metric(_ name: String? = nil, alias: UInt64? = nil, double: Double? = nil, type: SparkplugDataType = .double,
                       timestamp: UInt64? = nil, quality: UInt32? = nil, unit: String? = nil, historical: Bool = false) -> SparkplugMetric {
        var m = SparkplugMetric()
        if let name { m.name = name }
        if let alias { m.alias = alias }
        m.datatype = UInt32(type.rawValue)
        if let double { m.doubleValue = double }
        if let timestamp { m.timestamp = timestamp }
        if historical { m.isHistorical = true }
        var keys: [String] = []
        var values: [Org_Eclipse_Tahu_Protobuf_Payload.PropertyValue] = []
        if let quality {
            var v = Org_Eclipse_Tahu_Protobuf_Payload.PropertyValue()
            v.type = UInt32(SparkplugDataType.int32.rawValue)
            v.intValue = quality
            keys.append("Quality")
            values.append(v)
        }
        if let unit {
            var v = Org_Eclipse_Tahu_Protobuf_Payload.PropertyValue()
            v.type = UInt32(SparkplugDataType.string.rawValue)
            v.stringValue = unit
            keys.append("engUnit")
            values.append(v)
        }
        if !keys.isEmpty {
            var set = Org_Eclipse_Tahu_Protobuf_Payload.PropertySet()
            set.keys = keys
            set.values = values
            m.properties = set
        }
        return m
    }

    static func bdSeq(_ value: UInt64) -> SparkplugMetric {
        var m = SparkplugMetric()
        m.name = "bdSeq"
        m.datatype = UInt32(SparkplugDataType.int64.rawValue)
        m.longValue = value
        return m
    }

    static func payload(seq: UInt64?, timestamp: UInt64? = nil, _ metrics: [SparkplugMetric]) -> SparkplugPayload {
        var p = SparkplugPayload()
        if let seq { p.seq = seq }
        if let timestamp { p.timestamp = timestamp }
        p.metrics = metrics
        return p
    }

    /// A session in which pilot1 was born (bdSeq 3, seq 0: node metric `uptime` alias 1) and
    /// device crusher01 (seq 1: `vibration` alias 10, `bearing_temp` alias 11, unit mm/s).
    static func bornSession(limits: SparkplugLimits = SparkplugLimits()) -> SparkplugSession {
        var session = SparkplugSession(limits: limits)
        _ = session.receive(topic: topic(.nbirth), payload: payload(seq: 0, [bdSeq(3), metric("uptime", alias: 1)]), receivedAt: t0)
        _ = session.receive(topic: topic(.dbirth, device: "crusher01"), payload: payload(seq: 1, [
            metric("vibration", alias: 10, unit: "mm/s"), metric("bearing_temp", alias: 11, unit: "Cel"),
        ]), receivedAt: t0)
        return session
    }

    static func ddata(seq: UInt64, alias: UInt64 = 10, value: Double, device: String = "crusher01", timestamp: UInt64? = nil) -> (SparkplugTopic, SparkplugPayload) {
        (topic(.ddata, device: device), payload(seq: seq, [metric(alias: alias, double: value, timestamp: timestamp)]))
    }
}

extension [SparkplugEvent] {
    var readings: [SparkplugReading] {
        compactMap { if case .reading(let r) = $0 { r } else { nil } }
    }

    var rejections: [DecodeFailure] {
        compactMap { if case .rejected(_, _, let f) = $0 { f } else { nil } }
    }

    var values: [String] {
        readings.map { r in
            switch r.value {
            case .number(let d): d.description
            case .notANumber(let t): t
            }
        }
    }
}

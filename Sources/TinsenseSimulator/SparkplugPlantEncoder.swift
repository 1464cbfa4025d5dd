import TinsenseCore
import TinsenseSparkplug

/// The simulated plant as one Sparkplug B edge node: each equipment (`crusher01`, `cell02`,
/// `xrf01`) is a device, each of its sensors a metric named after the sensor id's last part
/// (`crusher01/vibration` is metric `vibration` of device `crusher01`), so a config whose id
/// template is `{device}/{metric}` gives the same sensor ids as the JSON plant.
///
/// It keeps what an edge node keeps: the `bdSeq` of the current connection (in NBIRTH and in
/// the NDEATH registered as the MQTT will), the `seq` of its messages (0–255, wrapping, across
/// NBIRTH, DBIRTH and DDATA) and the aliases its DBIRTHs declared.
package struct SparkplugPlantEncoder: Sendable {
    /// One message to publish.
    package struct Message: Sendable, Hashable {
        package var topic: String
        package var payload: [UInt8]
    }

    /// One metric as the DBIRTH declares it.
    package struct MetricBinding: Sendable, Hashable {
        package var device: String
        package var metric: String
        package var alias: UInt64
        package var unit: String
    }

    package let group: String
    package let node: String
    /// bdSeq of the current (or next) connection.
    package private(set) var bdSeq: UInt64
    /// seq of the next message.
    package private(set) var seq: UInt8 = 0
    /// Sensor id → its device, metric and alias.
    package let bindings: [String: MetricBinding]
    /// Devices in birth order.
    package let devices: [String]

    /// - Parameters:
    ///   - group: the Sparkplug group id (the site).
    ///   - node: the edge node id (the plant's gateway).
    ///   - bdSeq: the first connection's birth-death sequence number.
    package init(sensors: [SimulatedSensor], group: String = "tinmine", node: String = "pilot1", bdSeq: UInt64 = 0) {
        self.group = group
        self.node = node
        self.bdSeq = bdSeq
        var bindings: [String: MetricBinding] = [:]
        var devices: [String] = []
        // Aliases from 1 in the plant's sensor order: stable for the same plant.
        for (index, sensor) in sensors.enumerated() {
            let (device, metric) = Self.split(sensor.id)
            if !devices.contains(device) { devices.append(device) }
            bindings[sensor.id] = MetricBinding(device: device, metric: metric, alias: UInt64(index + 1), unit: sensor.unit)
        }
        self.bindings = bindings
        self.devices = devices
    }

    /// `crusher01/vibration` → (`crusher01`, `vibration`); an id without `/` is a node metric
    /// of device `plant`.
    static func split(_ id: String) -> (device: String, metric: String) {
        guard let slash = id.firstIndex(of: "/") else { return ("plant", id) }
        return (String(id[..<slash]), String(id[id.index(after: slash)...]))
    }

    package func topic(_ type: SparkplugTopic.MessageType, device: String? = nil) -> String {
        SparkplugTopic(type: type, edgeNode: .init(group: group, node: node), device: device).description
    }

    /// The NDEATH of the current connection, to register as the MQTT will before connecting.
    package func death() -> Message {
        var payload = SparkplugPayload()
        payload.metrics = [Self.bdSeqMetric(bdSeq)]
        return Message(topic: topic(.ndeath), payload: Self.serialize(payload))
    }

    /// NBIRTH (bdSeq, `Node Control/Rebirth`) and one DBIRTH per device declaring its metrics
    /// with aliases, datatype Double and the unit as `engUnit`. The metrics carry no value
    /// (the plant's first samples follow as DDATA), so every reading is sent exactly once.
    package mutating func birth(at time: Timestamp) -> [Message] {
        seq = 0
        var nbirth = SparkplugPayload()
        nbirth.timestamp = UInt64(max(0, time.millisecondsSinceEpoch))
        nbirth.seq = UInt64(nextSeq())
        var rebirth = SparkplugMetric()
        rebirth.name = "Node Control/Rebirth"
        rebirth.datatype = UInt32(SparkplugDataType.boolean.rawValue)
        rebirth.booleanValue = false
        nbirth.metrics = [Self.bdSeqMetric(bdSeq), rebirth]
        var messages = [Message(topic: topic(.nbirth), payload: Self.serialize(nbirth))]
        let byDevice = Dictionary(grouping: bindings.values, by: \.device)
        for device in devices {
            var dbirth = SparkplugPayload()
            dbirth.timestamp = nbirth.timestamp
            dbirth.seq = UInt64(nextSeq())
            dbirth.metrics = (byDevice[device] ?? []).sorted { $0.alias < $1.alias }.map { binding in
                var metric = SparkplugMetric()
                metric.name = binding.metric
                metric.alias = binding.alias
                metric.datatype = UInt32(SparkplugDataType.double.rawValue)
                metric.isNull = true
                var units = Org_Eclipse_Tahu_Protobuf_Payload.PropertySet()
                units.keys = [SparkplugPropertyName.engineeringUnit]
                var unit = Org_Eclipse_Tahu_Protobuf_Payload.PropertyValue()
                unit.type = UInt32(SparkplugDataType.string.rawValue)
                unit.stringValue = binding.unit
                units.values = [unit]
                metric.properties = units
                return metric
            }
            messages.append(Message(topic: topic(.dbirth, device: device), payload: Self.serialize(dbirth)))
        }
        return messages
    }

    /// The next connection: a new bdSeq (its NDEATH is the new will), seq from 0 at its NBIRTH.
    package mutating func nextConnection() {
        bdSeq = (bdSeq + 1) % 256
    }

    /// One plant sample as DDATA by alias, with the sample's time and the next seq. A
    /// deliberately malformed sample becomes bytes that are no protobuf (and takes no seq).
    package mutating func data(_ message: SimulatedMessage) -> Message? {
        guard let binding = bindings[message.sensor] else { return nil }
        let topic = topic(.ddata, device: binding.device)
        guard let value = message.sentValue, let number = Double(value.description) else {
            // A field 2 (metrics) that claims 100 bytes and ends after 3: a truncated message.
            return Message(topic: topic, payload: [0x12, 0x64, 0x08, 0x01, 0x10])
        }
        var payload = SparkplugPayload()
        payload.timestamp = UInt64(max(0, message.time.millisecondsSinceEpoch))
        payload.seq = UInt64(nextSeq())
        var metric = SparkplugMetric()
        metric.alias = binding.alias
        metric.timestamp = payload.timestamp
        metric.datatype = UInt32(SparkplugDataType.double.rawValue)
        metric.doubleValue = number
        payload.metrics = [metric]
        return Message(topic: topic, payload: Self.serialize(payload))
    }

    private mutating func nextSeq() -> UInt8 {
        defer { seq &+= 1 }
        return seq
    }

    static func bdSeqMetric(_ bdSeq: UInt64) -> SparkplugMetric {
        var metric = SparkplugMetric()
        metric.name = SparkplugPropertyName.bdSeq
        metric.datatype = UInt32(SparkplugDataType.int64.rawValue)
        metric.longValue = bdSeq
        return metric
    }

    static func serialize(_ payload: SparkplugPayload) -> [UInt8] {
        SparkplugPayloadEncoder.encode(payload)
    }
}

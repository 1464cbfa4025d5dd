import TinsenseCore

/// Ground truth for one injected fault on one sensor: what the detector benchmark scores
/// against. The window is half-open, `[start, end)`.
package struct FaultLabel: Sendable, Hashable {
    /// The sensor id as config/tinsense.toml builds it.
    package var sensor: String
    package var topic: String
    package var fault: FaultKind
    package var start: Timestamp
    package var end: Timestamp

    package init(sensor: String, topic: String, fault: FaultKind, start: Timestamp, end: Timestamp) {
        self.sensor = sensor
        self.topic = topic
        self.fault = fault
        self.start = start
        self.end = end
    }

    package func contains(_ time: Timestamp) -> Bool {
        start <= time && time < end
    }

    /// The labels file's header.
    package static let csvHeader = "sensor,topic,fault,start,end"

    /// One CSV row; ids and topics never contain commas, quotes or newlines (MQTT-safe
    /// catalog names), so no quoting is needed.
    package var csvRow: String {
        "\(sensor),\(topic),\(fault.rawValue),\(RFC3339.format(start)),\(RFC3339.format(end))"
    }

    /// A whole labels file: header, then one row per label, each line ending in `\n`.
    package static func csv(_ labels: [FaultLabel]) -> String {
        var text = csvHeader + "\n"
        for label in labels { text += label.csvRow + "\n" }
        return text
    }
}

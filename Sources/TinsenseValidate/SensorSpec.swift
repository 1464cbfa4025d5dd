import TinsenseCore

/// What the config says about one sensor or class of sensors: how to recognise its topics,
/// how to name it, and which values are believable.
package struct SensorSpec: Sendable, Equatable {
    /// What to do with a reading that changed faster than `maxRatePerSecond`.
    package enum RateAction: String, Sendable, Equatable { case downgrade, quarantine }

    package var topic: TopicPattern
    /// Sensor id template with `{capture}` and `{topic}`; nil means the topic is the id.
    package var idTemplate: String?
    package var unit: String?
    /// Instrument span: outside → quarantined `out_of_range`.
    package var range: ClosedRange<Double>?
    /// Process plausibility: outside → stored with quality `uncertain`.
    package var plausible: ClosedRange<Double>?
    package var maxRatePerSecond: Double?
    package var rateAction: RateAction
    /// Expected cadence, milliseconds.
    package var periodMs: Int64?
    /// No reading for this long → the sensor is stale.
    package var staleAfterMs: Int64?
    /// Free-form settings later stages read (detector names and parameters, …).
    package var extra: [String: String]

    package init(
        topic: TopicPattern, idTemplate: String? = nil, unit: String? = nil,
        range: ClosedRange<Double>? = nil, plausible: ClosedRange<Double>? = nil,
        maxRatePerSecond: Double? = nil, rateAction: RateAction = .downgrade,
        periodMs: Int64? = nil, staleAfterMs: Int64? = nil, extra: [String: String] = [:]
    ) {
        self.topic = topic
        self.idTemplate = idTemplate
        self.unit = unit
        self.range = range
        self.plausible = plausible
        self.maxRatePerSecond = maxRatePerSecond
        self.rateAction = rateAction
        self.periodMs = periodMs
        self.staleAfterMs = staleAfterMs
        self.extra = extra
    }

    /// Builds the sensor id for a topic this spec matched.
    package func sensorID(topic: String, captures: [String: String]) -> String {
        guard let template = idTemplate else { return topic }
        var out = ""
        var rest = template[...]
        while let open = rest.firstIndex(of: "{") {
            guard let close = rest[open...].firstIndex(of: "}") else { break }
            out += rest[..<open]
            let name = String(rest[rest.index(after: open)..<close])
            out += name == "topic" ? topic : (captures[name] ?? "")
            rest = rest[rest.index(after: close)...]
        }
        out += rest
        return out
    }

    /// Names in the id template that the topic pattern does not capture (config error).
    package var unknownTemplateNames: [String] {
        guard let template = idTemplate else { return [] }
        var names: [String] = []
        var rest = template[...]
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            let name = String(rest[rest.index(after: open)..<close])
            if name != "topic" && !topic.captureNames.contains(name) { names.append(name) }
            rest = rest[rest.index(after: close)...]
        }
        return names
    }
}

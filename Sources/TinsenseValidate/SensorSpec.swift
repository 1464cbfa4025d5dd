import TinsenseCore
import TinsenseDecode

/// What the config says about one sensor or class of sensors: how to recognise its topics,
/// how to name it, and which values are believable.
package struct SensorSpec: Sendable, Equatable {
    /// What to do with a reading that changed faster than `maxRatePerSecond`.
    package enum RateAction: String, Sendable, Equatable { case downgrade, quarantine }

    package var topic: TopicPattern
    /// How payloads on `topic` are decoded; only the first entry whose topic matches decides.
    package var format: PayloadFormat
    /// Which metrics of a many-metric message this entry takes; nil takes every item.
    package var metric: MetricFilter?
    /// Sensor id template with `{capture}`, `{topic}`, `{metric}` and `{tag.NAME}`; nil means
    /// the topic is the id (followed by `/metric` and the sorted tags for a many-metric item).
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
        topic: TopicPattern, format: PayloadFormat = .json, metric: MetricFilter? = nil, idTemplate: String? = nil, unit: String? = nil,
        range: ClosedRange<Double>? = nil, plausible: ClosedRange<Double>? = nil,
        maxRatePerSecond: Double? = nil, rateAction: RateAction = .downgrade,
        periodMs: Int64? = nil, staleAfterMs: Int64? = nil, extra: [String: String] = [:]
    ) {
        self.topic = topic
        self.format = format
        self.metric = metric
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

    /// Builds the sensor id for a topic this spec matched (an item without a metric).
    package func sensorID(topic: String, captures: [String: String]) -> String {
        sensorID(topic: topic, captures: captures, metric: nil, tags: [:])
    }

    /// Builds the sensor id for an item this spec matched. Without a template the id is the
    /// topic, then `/metric`, then `{k=v,...}` with the tags sorted by key — so two series that
    /// differ only by a tag never share a sensor, and tag order never changes the id.
    package func sensorID(topic: String, captures: [String: String], metric: String?, tags: [String: String]) -> String {
        guard let template = idTemplate else {
            guard let metric else { return topic }
            var id = topic + "/" + metric
            if !tags.isEmpty {
                id += "{" + tags.sorted { $0.key < $1.key }.map { $0.key + "=" + $0.value }.joined(separator: ",") + "}"
            }
            return id
        }
        var out = ""
        var rest = template[...]
        while let open = rest.firstIndex(of: "{") {
            guard let close = rest[open...].firstIndex(of: "}") else { break }
            out += rest[..<open]
            let name = rest[rest.index(after: open)..<close]
            if name == "topic" {
                out += topic
            } else if name == "metric" {
                out += metric ?? ""
            } else if name.hasPrefix(SensorSpec.tagPrefix) {
                out += tags[String(name.dropFirst(SensorSpec.tagPrefix.count))] ?? ""
            } else {
                out += captures[String(name)] ?? ""
            }
            rest = rest[rest.index(after: close)...]
        }
        out += rest
        return out
    }

    /// `{tag.NAME}` in an id template: the value of the item's tag NAME.
    package static let tagPrefix = "tag."

    /// Names in the id template that the topic pattern does not capture (config error).
    package var unknownTemplateNames: [String] {
        templateNames.filter { name in
            name != "topic" && name != "metric" && !(name.hasPrefix(SensorSpec.tagPrefix) && name.count > SensorSpec.tagPrefix.count)
                && !topic.captureNames.contains(name)
        }
    }

    /// True when the id template names a metric or a tag, which only many-metric formats give.
    package var templateUsesMetric: Bool {
        templateNames.contains { $0 == "metric" || $0.hasPrefix(SensorSpec.tagPrefix) }
    }

    /// The entry stands for exactly one sensor known in advance (a concrete topic decoded as
    /// JSON, no metric in its id): that sensor is expected from the start and goes stale if
    /// it never reports.
    package var namesOneSensor: Bool {
        topic.isConcrete && format.kind == .json && metric == nil && !templateUsesMetric
    }

    private var templateNames: [String] {
        guard let template = idTemplate else { return [] }
        var names: [String] = []
        var rest = template[...]
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            names.append(String(rest[rest.index(after: open)..<close]))
            rest = rest[rest.index(after: close)...]
        }
        return names
    }
}

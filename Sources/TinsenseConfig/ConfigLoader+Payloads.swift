import TinsenseDecode
import TinsenseValidate

extension TableReader {
    /// `[[sensor]] format`, `metric`, `precision`: how the entry's payloads are decoded and
    /// which metrics of a many-metric message it takes. Refuses what cannot work as written,
    /// so a site learns it from check-config rather than from a quarantine full of readings.
    func readPayloadKeys(_ s: inout Section, path: String, into spec: inout SensorSpec) {
        let kinds = PayloadFormat.Kind.allCases.map(\.rawValue)
        let kind = PayloadFormat.Kind(rawValue: s.choice("format", kinds, default: "json")) ?? .json
        let hasPrecision = s.table["precision"] != nil
        let precision = TimestampPrecision(rawValue: s.choice("precision", TimestampPrecision.allCases.map(\.rawValue), default: "ns")) ?? .nanoseconds
        spec.format = PayloadFormat(kind, precision: precision)
        if hasPrecision, kind == .json || kind == .sparkplug {
            issue(path + ".precision", "applies to line-protocol timestamps; format = \"\(kind.rawValue)\" has none (use format = \"influx\" or \"auto\")")
        }
        if s.table["metric"] != nil {
            let metric = s.string("metric", default: "", nonEmpty: true)
            if !metric.isEmpty { spec.metric = MetricFilter(metric) }
            if kind == .json {
                issue(path + ".metric", "format = \"json\" payloads carry no metric, so this entry would never match; set format = \"influx\", \"sparkplug\" or \"auto\"")
            }
        }
        if kind == .json, spec.templateUsesMetric {
            issue(path + ".id", "{metric} and {tag.NAME} come from many-metric payloads; format = \"json\" has none (set format = \"influx\", \"sparkplug\" or \"auto\")")
        }
        if kind == .sparkplug, !spec.topic.canMatch(prefix: PayloadFormat.sparkplugNamespace) {
            issue(path + ".format", "\"sparkplug\" payloads arrive on \(PayloadFormat.sparkplugNamespace)/... topics, which \"\(spec.topic.text)\" cannot match")
        }
    }

    /// The format of a topic is the first matching entry's: a later entry whose every topic
    /// an earlier one already matches, with another format, would never be decoded as it says.
    func checkFormatShadowing(_ entries: [Config.SensorEntry]) {
        for (j, later) in entries.enumerated() {
            guard let i = entries[..<j].firstIndex(where: { $0.spec.topic.covers(later.spec.topic) }) else { continue }
            let earlier = entries[i].spec
            if earlier.format != later.spec.format {
                issue("sensor[\(j)].format", "topics of \"\(later.spec.topic.text)\" are decoded as sensor[\(i)] (\"\(earlier.topic.text)\") says, format = \"\(earlier.format.kind.rawValue)\"\(earlier.format.precision == later.spec.format.precision ? "" : " with precision \(earlier.format.precision.rawValue)"): the first matching entry decides the format")
            }
        }
    }
}

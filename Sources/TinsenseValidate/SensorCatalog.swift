import TinsenseDecode

/// Resolves (topic, metric) to sensors: the first `SensorSpec` (in config order) whose topic
/// pattern matches and whose `metric` filter takes the item wins. Results are cached, so
/// steady-state lookups are one hash probe; an item without a metric (JSON) is looked up by
/// its topic alone, exactly as before many-metric formats existed.
package struct SensorCatalog: Sendable {
    package struct Resolution: Sendable, Hashable {
        package var sensorID: String
        package var specIndex: Int
    }

    /// A many-metric item's cache key: the tags are part of it because `{tag.NAME}` and the
    /// default id put them in the sensor id.
    private struct MetricKey: Hashable {
        var topic: String
        var metric: String
        var tags: [String: String]
    }

    /// A cached resolution and the sensor slot the validator noted for it (-1: none yet), so
    /// that a known sensor's state is found by the one hash of its topic.
    private struct Cached {
        var resolution: Resolution?
        var slot: Int
    }

    package let specs: [SensorSpec]
    private var cache: [String: Cached] = [:]
    private var metricCache: [MetricKey: Cached] = [:]
    private var formatCache: [String: PayloadFormat] = [:]
    /// Bound on each cache's entries so a flood of unknown topics or metrics cannot grow
    /// memory without limit.
    package var cacheLimit = 100_000
    /// Keys longer than this (topic, plus metric and tags for many-metric items) are resolved
    /// uncached, so a cache holds at most `cacheLimit` × this many bytes of keys (about 100 MB)
    /// whatever arrives.
    package static let cachedTopicMaxBytes = 1024
    /// The one format of every entry when they all agree (the common case): then no lookup
    /// is needed to learn a topic's format.
    private let uniformFormat: PayloadFormat?

    package init(specs: [SensorSpec]) {
        self.specs = specs
        let formats = Set(specs.map(\.format))
        uniformFormat = formats.count <= 1 ? (formats.first ?? .json) : nil
    }

    /// The sensor of an item without a metric on `topic`.
    package mutating func resolve(_ topic: String) -> Resolution? {
        resolveWithSlot(topic, metric: nil, tags: [:]).resolution
    }

    /// The sensor of an item, by its topic and (when it has one) its metric and tags.
    package mutating func resolve(_ topic: String, metric: String?, tags: [String: String]) -> Resolution? {
        resolveWithSlot(topic, metric: metric, tags: tags).resolution
    }

    /// `resolve`, with the slot last noted for the same key by `noteSlot` (-1 when none was,
    /// or the key is not cached). A hint only: the caller checks that the slot still holds
    /// the resolved sensor.
    package mutating func resolveWithSlot(_ topic: String, metric: String?, tags: [String: String]) -> (resolution: Resolution?, slot: Int) {
        guard let metric else {
            guard topic.utf8.count <= SensorCatalog.cachedTopicMaxBytes else { return (SensorCatalog.lookup(topic, in: specs), -1) }
            if let hit = cache[topic] { return (hit.resolution, hit.slot) }
            let r = SensorCatalog.lookup(topic, in: specs)
            if cache.count >= cacheLimit { cache.removeAll(keepingCapacity: true) }
            cache[topic] = Cached(resolution: r, slot: -1)
            return (r, -1)
        }
        guard SensorCatalog.cachesMetricKey(topic, metric: metric, tags: tags) else {
            return (SensorCatalog.lookup(topic, metric: metric, tags: tags, in: specs), -1)
        }
        let key = MetricKey(topic: topic, metric: metric, tags: tags)
        if let hit = metricCache[key] { return (hit.resolution, hit.slot) }
        let r = SensorCatalog.lookup(topic, metric: metric, tags: tags, in: specs)
        if metricCache.count >= cacheLimit { metricCache.removeAll(keepingCapacity: true) }
        metricCache[key] = Cached(resolution: r, slot: -1)
        return (r, -1)
    }

    /// Notes the validator's slot for the sensor that (topic, metric, tags) resolved to, so
    /// that the next `resolveWithSlot` of that key returns it. A key no longer (or never)
    /// cached is left alone.
    package mutating func noteSlot(_ slot: Int, topic: String, metric: String?, tags: [String: String]) {
        guard let metric else {
            if let i = cache.index(forKey: topic) { cache.values[i].slot = slot }
            return
        }
        guard SensorCatalog.cachesMetricKey(topic, metric: metric, tags: tags) else { return }
        if let i = metricCache.index(forKey: MetricKey(topic: topic, metric: metric, tags: tags)) { metricCache.values[i].slot = slot }
    }

    private static func cachesMetricKey(_ topic: String, metric: String, tags: [String: String]) -> Bool {
        var bytes = topic.utf8.count + metric.utf8.count
        for (k, v) in tags { bytes += k.utf8.count + v.utf8.count }
        return bytes <= SensorCatalog.cachedTopicMaxBytes
    }

    /// How payloads on `topic` are decoded: the format of the first entry whose topic pattern
    /// matches (metric filters play no part: the metric is only known after decoding); JSON
    /// when none matches, so an unknown topic is decoded, and quarantined, as before.
    package mutating func payloadFormat(topic: String) -> PayloadFormat {
        if let uniformFormat { return uniformFormat }
        guard topic.utf8.count <= SensorCatalog.cachedTopicMaxBytes else { return SensorCatalog.format(topic, in: specs) }
        if let hit = formatCache[topic] { return hit }
        let f = SensorCatalog.format(topic, in: specs)
        if formatCache.count >= cacheLimit { formatCache.removeAll(keepingCapacity: true) }
        formatCache[topic] = f
        return f
    }

    /// Uncached lookup of an item without a metric.
    package static func lookup(_ topic: String, in specs: [SensorSpec]) -> Resolution? {
        lookup(topic, metric: nil, tags: [:], in: specs)
    }

    /// Uncached lookup.
    package static func lookup(_ topic: String, metric: String?, tags: [String: String], in specs: [SensorSpec]) -> Resolution? {
        for (i, spec) in specs.enumerated() {
            if let filter = spec.metric, !filter.matches(metric) { continue }
            if let captures = spec.topic.match(topic) {
                return Resolution(sensorID: spec.sensorID(topic: topic, captures: captures, metric: metric, tags: tags), specIndex: i)
            }
        }
        return nil
    }

    /// Uncached format lookup.
    package static func format(_ topic: String, in specs: [SensorSpec]) -> PayloadFormat {
        if let spec = specs.first(where: { $0.topic.match(topic) != nil }) { return spec.format }
        // An edge node's own messages (spBv1.0/GROUP/NBIRTH/NODE, one level shorter than its
        // devices') must reach the Sparkplug session even where only device topics are
        // configured: the NBIRTH opens the session every device's data needs. Read as JSON they
        // would be quarantined and every DATA after them refused as not_born.
        if topic.hasPrefix(PayloadFormat.sparkplugNamespace + "/"), let spec = specs.first(where: { $0.format.kind == .sparkplug }) {
            return spec.format
        }
        return .json
    }
}

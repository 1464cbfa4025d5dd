/// Resolves topics to sensors: the first `SensorSpec` (in config order) whose pattern matches
/// wins. Results are cached per topic, so steady-state lookups are one hash probe.
package struct SensorCatalog: Sendable {
    package struct Resolution: Sendable, Hashable {
        package var sensorID: String
        package var specIndex: Int
    }

    package let specs: [SensorSpec]
    private var cache: [String: Resolution?] = [:]
    /// Bound on cached topics so a flood of unknown topics cannot grow memory without limit.
    package var cacheLimit = 100_000
    /// Topics longer than this are resolved uncached, so the cache holds at most
    /// `cacheLimit` × this many bytes of keys (about 100 MB) whatever topics arrive.
    package static let cachedTopicMaxBytes = 1024

    package init(specs: [SensorSpec]) {
        self.specs = specs
    }

    package mutating func resolve(_ topic: String) -> Resolution? {
        guard topic.utf8.count <= SensorCatalog.cachedTopicMaxBytes else { return SensorCatalog.lookup(topic, in: specs) }
        if let hit = cache[topic] { return hit }
        let r = SensorCatalog.lookup(topic, in: specs)
        if cache.count >= cacheLimit { cache.removeAll(keepingCapacity: true) }
        cache[topic] = r
        return r
    }

    /// Uncached lookup.
    package static func lookup(_ topic: String, in specs: [SensorSpec]) -> Resolution? {
        for (i, spec) in specs.enumerated() {
            if let captures = spec.topic.match(topic) {
                return Resolution(sensorID: spec.sensorID(topic: topic, captures: captures), specIndex: i)
            }
        }
        return nil
    }
}

/// Resolves topics to sensors: the first `SensorSpec` (in config order) whose pattern matches
/// wins. Results are cached per topic, so steady-state lookups are one hash probe.
public struct SensorCatalog: Sendable {
    public struct Resolution: Sendable, Hashable {
        public var sensorID: String
        public var specIndex: Int
    }

    public let specs: [SensorSpec]
    private var cache: [String: Resolution?] = [:]
    /// Bound on cached topics so a flood of unknown topics cannot grow memory without limit.
    public var cacheLimit = 100_000

    public init(specs: [SensorSpec]) {
        self.specs = specs
    }

    public mutating func resolve(_ topic: String) -> Resolution? {
        if let hit = cache[topic] { return hit }
        let r = SensorCatalog.lookup(topic, in: specs)
        if cache.count >= cacheLimit { cache.removeAll(keepingCapacity: true) }
        cache[topic] = r
        return r
    }

    /// Uncached lookup.
    public static func lookup(_ topic: String, in specs: [SensorSpec]) -> Resolution? {
        for (i, spec) in specs.enumerated() {
            if let captures = spec.topic.match(topic) {
                return Resolution(sensorID: spec.sensorID(topic: topic, captures: captures), specIndex: i)
            }
        }
        return nil
    }
}

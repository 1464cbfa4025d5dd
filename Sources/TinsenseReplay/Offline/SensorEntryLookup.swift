import TinsenseConfig
import TinsenseValidate

/// Finds the `[[sensor]]` entry of a stored sensor id, for re-detection from a data directory
/// where topics are gone: an entry's id template read as a pattern (`{line}/{sensor}`), or
/// its topic pattern when the id is the topic. First match wins, as for topics.
struct SensorEntryLookup {
    private var patterns: [TopicPattern?]
    private var cache: [String: Int?] = [:]

    init(config: Config) {
        patterns = config.sensors.map { entry in
            guard let template = entry.spec.idTemplate else { return entry.spec.topic }
            let text = template.replacingOccurrences(of: "{topic}", with: entry.spec.topic.text)
            return try? TopicPattern(text)
        }
    }

    /// The entry index for `sensor`, or nil when no entry names it.
    mutating func index(of sensor: String) -> Int? {
        if let hit = cache[sensor] { return hit }
        let found = patterns.firstIndex { $0?.match(sensor) != nil }
        cache[sensor] = found
        return found
    }
}

extension String {
    fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
        var out = ""
        var rest = self[...]
        while let r = rest.range(of: target) {
            out += rest[..<r.lowerBound]
            out += replacement
            rest = rest[r.upperBound...]
        }
        return out + rest
    }
}

import TinsenseConfig
import TinsenseValidate

/// Finds the `[[sensor]]` entry of a stored sensor id, for re-detection from a data directory
/// where topics are gone: an entry's id template read as a pattern (`{line}/{sensor}`), or
/// its topic pattern when the id is the topic. First match wins, as for topics. Each sensor
/// found gets a slot of its own (0, 1, 2, … in the order they are first asked for), as the
/// validator gives them, for the scorer's detector table.
struct SensorEntryLookup {
    private var patterns: [TopicPattern?]
    private var cache: [String: (specIndex: Int, slot: Int)?] = [:]
    private var slots = 0

    init(config: Config) {
        patterns = config.sensors.map { entry in
            let spec = entry.spec
            guard let template = spec.idTemplate else {
                // A many-metric item's default id is the topic, `/metric` and its tags.
                guard spec.format.kind != .json, !spec.topic.text.hasSuffix("#") else { return spec.topic }
                return try? TopicPattern(spec.topic.text + "/#")
            }
            var text = template.replacingOccurrences(of: "{topic}", with: spec.topic.text)
            // A metric may hold `/` (line protocol's `measurement/field`): last, it is the rest.
            if text.hasSuffix("/{metric}") { text = String(text.dropLast("{metric}".count)) + "#" }
            text = SensorEntryLookup.wildcardingPlaceholders(text)
            return try? TopicPattern(text)
        }
    }

    /// `{metric}` and `{tag.NAME}` that fill a whole level become `+`; no pattern is made
    /// (nil) when they sit inside a level, and such ids are not found.
    private static func wildcardingPlaceholders(_ text: String) -> String {
        text.split(separator: "/", omittingEmptySubsequences: false).map { level in
            level == "{metric}" || (level.hasPrefix("{tag.") && level.hasSuffix("}")) ? "+" : String(level)
        }.joined(separator: "/")
    }

    /// The entry index and slot of `sensor`, or nil when no entry names it.
    mutating func entry(of sensor: String) -> (specIndex: Int, slot: Int)? {
        if let hit = cache[sensor] { return hit }
        let found = patterns.firstIndex { $0?.match(sensor) != nil }.map { index -> (specIndex: Int, slot: Int) in
            defer { slots += 1 }
            return (index, slots)
        }
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

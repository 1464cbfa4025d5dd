/// An MQTT topic pattern with `+` (one level), `#` (the rest, last level only) and `{name}`
/// (one level, captured for building the sensor id), e.g.
/// `tinmine/+/crushing/{line}/{unit}/vibration_mm_s`.
package struct TopicPattern: Sendable, Hashable, CustomStringConvertible {
    enum Level: Sendable, Hashable {
        case literal(Substring)
        case any
        case capture(String)
        case rest
    }

    package let text: String
    let levels: [Level]

    package init(_ text: String) throws(TopicPatternError) {
        guard !text.isEmpty else { throw TopicPatternError("the topic pattern is empty") }
        var levels: [Level] = []
        var names = Set<String>()
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        for (index, part) in parts.enumerated() {
            if part == "+" {
                levels.append(.any)
            } else if part == "#" {
                guard index == parts.count - 1 else { throw TopicPatternError("'#' must be the last level in \"\(text)\"") }
                levels.append(.rest)
            } else if part.hasPrefix("{") && part.hasSuffix("}") && part.count > 2 {
                let name = String(part.dropFirst().dropLast())
                guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                    throw TopicPatternError("capture name \"\(name)\" in \"\(text)\" may hold only letters, digits and _")
                }
                guard name != "topic" else { throw TopicPatternError("\"{topic}\" is reserved for the whole topic") }
                guard names.insert(name).inserted else { throw TopicPatternError("capture {\(name)} appears twice in \"\(text)\"") }
                levels.append(.capture(name))
            } else {
                guard !part.contains("+"), !part.contains("#"), !part.contains("{"), !part.contains("}") else {
                    throw TopicPatternError("level \"\(part)\" of \"\(text)\" mixes a wildcard or brace with text")
                }
                levels.append(.literal(part))
            }
        }
        self.text = text
        self.levels = levels
    }

    package var description: String { text }

    /// The captures that a topic yields, or nil when it does not match.
    package func match(_ topic: String) -> [String: String]? {
        var captures: [String: String] = [:]
        var parts = topic.split(separator: "/", omittingEmptySubsequences: false)[...]
        for level in levels {
            switch level {
            case .rest:
                return captures
            case .literal(let l):
                guard let p = parts.popFirst(), p == l else { return nil }
            case .any:
                guard parts.popFirst() != nil else { return nil }
            case .capture(let name):
                guard let p = parts.popFirst() else { return nil }
                captures[name] = String(p)
            }
        }
        return parts.isEmpty ? captures : nil
    }

    /// True when the pattern names exactly one topic (no wildcard or capture).
    package var isConcrete: Bool {
        levels.allSatisfy { if case .literal = $0 { true } else { false } }
    }

    /// The pattern as an MQTT subscription filter (captures become `+`).
    package var subscriptionFilter: String {
        levels.map { level -> String in
            switch level {
            case .literal(let l): String(l)
            case .any, .capture: "+"
            case .rest: "#"
            }
        }.joined(separator: "/")
    }

    /// Whether some topic whose first level is `level` can match (false when the pattern's
    /// first level is another literal).
    package func canMatch(prefix level: String) -> Bool {
        guard case .literal(let l) = levels.first else { return true }
        return l == level
    }

    /// Whether every topic `other` matches, this pattern matches too (checked level by level:
    /// `#` covers the rest, `+` and captures cover any one level, a literal only itself).
    package func covers(_ other: TopicPattern) -> Bool {
        var mine = levels[...]
        var theirs = other.levels[...]
        while let level = mine.popFirst() {
            if case .rest = level { return true }
            guard let their = theirs.popFirst() else { return false }
            switch (level, their) {
            case (.literal(let a), .literal(let b)): if a != b { return false }
            case (.literal, _): return false
            case (.any, .rest), (.capture, .rest): return false
            case (.any, _), (.capture, _): continue
            case (.rest, _): return true
            }
        }
        return theirs.isEmpty
    }

    /// Names of the captures, in order.
    package var captureNames: [String] {
        levels.compactMap { if case .capture(let n) = $0 { n } else { nil } }
    }
}

package struct TopicPatternError: Error, Sendable, CustomStringConvertible {
    package var description: String
    init(_ d: String) { description = d }
}

/// A shell-style pattern over sensor ids, the one syntax every option that selects sensors
/// takes (`[[inhibit]] targets`, `alerts --sensor`, `export --sensor`, `simulate --faults`),
/// documented for users in docs/SENSOR-PATTERNS.md:
///
/// - `*` any run of characters, `/` included (a sensor id is a name, not a path):
///   `flotation/*` matches `flotation/cell01/ph`;
/// - `?` exactly one character;
/// - `[abc]`, `[a-z]`, `[!a]` (or `[^a]`) one character of (not of) the class; a `]` right
///   after `[` or `[!` belongs to the class, a `-` first or last is literal;
/// - `\` makes the next character literal, inside a class too (`a\*b`, `[\]]`);
/// - anything else matches itself; matching is on Unicode characters and case-sensitive.
///
/// Never an error: a `[` without its `]` and a trailing `\` match themselves, so an id that
/// contains them can still be typed as is.
public struct SensorPattern: Sendable, Hashable, CustomStringConvertible {
    /// The pattern as written.
    public let text: String
    private let tokens: [Token]
    /// The id itself when the pattern has no wildcard (matching is then one comparison).
    private let literal: String?

    private enum Token: Hashable, Sendable {
        case character(Character)
        case anyOne
        case anyRun
        case oneOf(ranges: [ClosedRange<Character>], negated: Bool)
    }

    public init(_ text: String) {
        self.text = text
        tokens = SensorPattern.parse(Array(text))
        var plain = ""
        for token in tokens {
            guard case .character(let c) = token else { plain = ""; literal = nil; return }
            plain.append(c)
        }
        literal = plain
    }

    public var description: String { text }

    /// Whether `sensor` matches the whole pattern. Iterative, backtracking only to the last
    /// `*`: O(pattern × id) at worst and no recursion, so no pattern can blow the stack.
    public func matches(_ sensor: String) -> Bool {
        if let literal { return literal == sensor }
        let s = Array(sensor)
        var i = 0, p = 0
        var starP = -1, starI = 0
        while i < s.count {
            if p < tokens.count {
                switch tokens[p] {
                case .anyRun:
                    starP = p
                    starI = i
                    p += 1
                    continue
                case .anyOne:
                    i += 1
                    p += 1
                    continue
                case .character(let c) where c == s[i]:
                    i += 1
                    p += 1
                    continue
                case .oneOf(let ranges, let negated) where ranges.contains(where: { $0.contains(s[i]) }) != negated:
                    i += 1
                    p += 1
                    continue
                default:
                    break
                }
            }
            guard starP >= 0 else { return false }
            p = starP + 1
            starI += 1
            i = starI
        }
        while p < tokens.count, tokens[p] == .anyRun { p += 1 }
        return p == tokens.count
    }

    private static func parse(_ p: [Character]) -> [Token] {
        var tokens: [Token] = []
        var i = 0
        while i < p.count {
            switch p[i] {
            case "\\" where i + 1 < p.count:
                tokens.append(.character(p[i + 1]))
                i += 2
            case "*":
                if tokens.last != .anyRun { tokens.append(.anyRun) }
                i += 1
            case "?":
                tokens.append(.anyOne)
                i += 1
            case "[":
                if let (token, next) = characterClass(p, from: i) {
                    tokens.append(token)
                    i = next
                } else {
                    tokens.append(.character("["))
                    i += 1
                }
            default:
                tokens.append(.character(p[i]))
                i += 1
            }
        }
        return tokens
    }

    /// The class opened by the `[` at `start` and the index after its `]`; nil if it is
    /// never closed (the `[` is then literal). A reversed range (`[z-a]`) matches nothing.
    private static func characterClass(_ p: [Character], from start: Int) -> (Token, Int)? {
        var i = start + 1
        let negated = i < p.count && (p[i] == "!" || p[i] == "^")
        if negated { i += 1 }
        /// The member at `i`, honouring `\`; advances `i` past it.
        func member() -> Character {
            if p[i] == "\\", i + 1 < p.count { i += 1 }
            defer { i += 1 }
            return p[i]
        }
        var ranges: [ClosedRange<Character>] = []
        var first = true
        while i < p.count, p[i] != "]" || first {
            first = false
            let low = member()
            // `x-y` is a range unless the `-` is the class's last character.
            if i + 1 < p.count, p[i] == "-", p[i + 1] != "]" {
                i += 1
                let high = member()
                if low <= high { ranges.append(low...high) }
            } else {
                ranges.append(low...low)
            }
        }
        guard i < p.count else { return nil }
        return (.oneOf(ranges: ranges, negated: negated), i + 1)
    }
}

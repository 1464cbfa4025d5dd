/// A shell-style pattern over sensor ids: `*` matches any run of characters (including
/// `/`), `?` one character, `\` escapes the next one; everything else matches itself.
/// Matching is on Unicode characters, so ids with spaces or non-ASCII text work as typed.
public struct SensorGlob: Sendable, Equatable, CustomStringConvertible {
    public let pattern: String
    private let tokens: [Token]

    enum Token: Equatable, Sendable {
        case literal(Character)
        case any
        case star
    }

    public init(_ pattern: String) {
        self.pattern = pattern
        var t: [Token] = []
        var escaped = false
        for c in pattern {
            if escaped {
                t.append(.literal(c))
                escaped = false
            } else if c == "\\" {
                escaped = true
            } else if c == "*" {
                if t.last != .star { t.append(.star) }
            } else if c == "?" {
                t.append(.any)
            } else {
                t.append(.literal(c))
            }
        }
        if escaped { t.append(.literal("\\")) }
        tokens = t
    }

    public var description: String { pattern }

    /// Iterative wildcard matching with single-star backtracking: O(n·m) worst case, no
    /// recursion, so hostile patterns cannot blow the stack.
    public func matches(_ sensor: String) -> Bool {
        let s = Array(sensor)
        var i = 0
        var p = 0
        var starP = -1
        var starI = 0
        while i < s.count {
            if p < tokens.count {
                switch tokens[p] {
                case .literal(let c) where c == s[i]:
                    i += 1
                    p += 1
                    continue
                case .any:
                    i += 1
                    p += 1
                    continue
                case .star:
                    starP = p
                    starI = i
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
        while p < tokens.count, tokens[p] == .star { p += 1 }
        return p == tokens.count
    }
}

/// Shell-style globs over sensor ids (`flotation/*/ph`, `crusher0?/power`, `xrf[12]/*`), the
/// way operators already name groups of topics. `*` and `?` match `/` too: a sensor id is a
/// name here, not a path.
public enum SensorGlob {
    public static func matches(_ pattern: String, _ text: String) -> Bool {
        if !pattern.utf8.contains(where: { $0 == 0x2A || $0 == 0x3F || $0 == 0x5B }) { return pattern == text }
        return match(Array(pattern.utf8)[...], Array(text.utf8)[...])
    }

    private static func match(_ p: ArraySlice<UInt8>, _ t: ArraySlice<UInt8>) -> Bool {
        var pi = p.startIndex, ti = t.startIndex
        var starP = -1, starT = -1
        while ti < t.endIndex {
            if pi < p.endIndex {
                let c = p[pi]
                if c == 0x2A { starP = pi; starT = ti; pi += 1; continue }
                if c == 0x3F { pi += 1; ti += 1; continue }
                if c == 0x5B, let (matched, next) = bracket(p, pi, t[ti]) {
                    if matched { pi = next; ti += 1; continue }
                } else if c == t[ti] { pi += 1; ti += 1; continue }
            }
            guard starP >= 0 else { return false }
            starT += 1
            ti = starT
            pi = starP + 1
        }
        while pi < p.endIndex && p[pi] == 0x2A { pi += 1 }
        return pi == p.endIndex
    }

    /// Matches `[abc]`, `[a-z]`, `[!x]` at `start`; nil if the bracket is not closed (then it
    /// is a literal `[`).
    private static func bracket(_ p: ArraySlice<UInt8>, _ start: Int, _ c: UInt8) -> (Bool, Int)? {
        var i = start + 1
        var negate = false
        if i < p.endIndex && (p[i] == 0x21 || p[i] == 0x5E) { negate = true; i += 1 }
        var matched = false
        var first = true
        while i < p.endIndex && (p[i] != 0x5D || first) {
            first = false
            if i + 2 < p.endIndex && p[i + 1] == 0x2D && p[i + 2] != 0x5D {
                if p[i] <= c && c <= p[i + 2] { matched = true }
                i += 3
            } else {
                if p[i] == c { matched = true }
                i += 1
            }
        }
        guard i < p.endIndex else { return nil }
        return (matched != negate, i + 1)
    }
}

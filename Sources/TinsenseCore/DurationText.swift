/// Durations written the way operators write them in TOML, on the command line and in fault
/// specs: `250ms`, `30s`, `5m`, `2h`, `1d`, or a bare number of seconds (`1.5`). One syntax for
/// the detectors' windows and the simulator's `--duration`/`--faults`.
public enum DurationText {
    /// The duration in milliseconds, or nil when the text is not a non-negative duration.
    public static func milliseconds(_ text: some StringProtocol) -> Int64? {
        let t = String(text).trimmingSpaces
        let units: [(String, Double)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)]
        for (suffix, factor) in units where t.hasSuffix(suffix) {
            let number = t.dropLast(suffix.count)
            // "ms" must win over "s": "5ms" ends in "s" too, but "5m" then fails to parse.
            guard let v = Double(number), v.isFinite, v >= 0 else { continue }
            return Int64((v * factor).rounded())
        }
        if let v = Double(t), v.isFinite, v >= 0 { return Int64((v * 1000).rounded()) }
        return nil
    }

    /// The shortest exact spelling of `ms` (`300000` → `5m`).
    public static func format(_ ms: Int64) -> String {
        if ms > 0 && ms % 86_400_000 == 0 { return "\(ms / 86_400_000)d" }
        if ms > 0 && ms % 3_600_000 == 0 { return "\(ms / 3_600_000)h" }
        if ms > 0 && ms % 60_000 == 0 { return "\(ms / 60_000)m" }
        if ms > 0 && ms % 1000 == 0 { return "\(ms / 1000)s" }
        return "\(ms)ms"
    }
}

extension String {
    /// Without leading and trailing spaces and tabs (config values, CSV cells, CLI words).
    public var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}

/// Parses the short durations used on the command line and in fault specs:
/// `1500ms`, `30s`, `5m`, `2h`, or a bare number of seconds (`90`). Fractions are allowed
/// (`1.5s`). Kept here so the CLI and the fault parser agree on one syntax.
public enum DurationText {
    /// The duration in milliseconds, or nil when the text is not a duration.
    public static func milliseconds(_ text: some StringProtocol) -> Int64? {
        let trimmed = text.trimmingCharacters(in: " ")
        let units: [(suffix: String, factor: Double)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000)]
        for unit in units where trimmed.hasSuffix(unit.suffix) {
            let number = trimmed.dropLast(unit.suffix.count)
            // "5ms" must not be read as "5m" + "s": the loop tries "ms" first.
            guard let value = Double(number), value >= 0, value.isFinite else { return nil }
            return Int64((value * unit.factor).rounded())
        }
        guard let seconds = Double(trimmed), seconds >= 0, seconds.isFinite else { return nil }
        return Int64((seconds * 1000).rounded())
    }
}

extension StringProtocol {
    fileprivate func trimmingCharacters(in set: Character) -> String {
        var s = Substring(self)
        while s.first == set { s = s.dropFirst() }
        while s.last == set { s = s.dropLast() }
        return String(s)
    }
}

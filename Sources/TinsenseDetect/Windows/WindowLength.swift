/// How far back a rolling window reaches: a number of readings, or a span of time.
///
/// Plant signals arrive at every cadence from 1 Hz process tags to one XRF assay per ten
/// minutes, so an operator thinks of some windows in readings ("the last 300 values") and
/// others in time ("the last hour"). A time window still keeps at most `maxSamples` readings
/// so that memory per sensor stays bounded whatever the sensor's rate.
public enum WindowLength: Sendable, Hashable, CustomStringConvertible {
    /// The most recent `n` readings.
    case samples(Int)
    /// The readings of the last `milliseconds`, at most `maxSamples` of them.
    case duration(milliseconds: Int64, maxSamples: Int)

    /// The cap used for time windows when the configuration names none.
    public static let defaultMaxSamples = 4096

    /// Parses `300` (readings) or a duration `500ms`, `30s`, `5m`, `2h`, `1d`.
    /// Returns nil for anything else, for zero, and for counts above 1,000,000.
    public init?(parsing text: String, maxSamples: Int = WindowLength.defaultMaxSamples) {
        let t = text.trimmingSpaces
        if let n = Int(t) {
            guard n >= 1, n <= 1_000_000 else { return nil }
            self = .samples(n)
            return
        }
        guard let ms = DurationText.milliseconds(t), ms > 0 else { return nil }
        self = .duration(milliseconds: ms, maxSamples: maxSamples)
    }

    /// The most readings this window can hold: the storage to allocate.
    public var capacity: Int {
        switch self {
        case .samples(let n): n
        case .duration(_, let cap): cap
        }
    }

    public var description: String {
        switch self {
        case .samples(let n): "\(n)"
        case .duration(let ms, _): DurationText.format(ms)
        }
    }
}

/// Durations written the way operators write them in TOML and on the command line.
enum DurationText {
    /// `250ms`, `30s`, `5m`, `2h`, `1d`, or a bare number of seconds (`1.5`). Nil otherwise.
    static func milliseconds(_ text: String) -> Int64? {
        let t = text.trimmingSpaces
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
    static func format(_ ms: Int64) -> String {
        if ms > 0 && ms % 86_400_000 == 0 { return "\(ms / 86_400_000)d" }
        if ms > 0 && ms % 3_600_000 == 0 { return "\(ms / 3_600_000)h" }
        if ms > 0 && ms % 60_000 == 0 { return "\(ms / 60_000)m" }
        if ms > 0 && ms % 1000 == 0 { return "\(ms / 1000)s" }
        return "\(ms)ms"
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}

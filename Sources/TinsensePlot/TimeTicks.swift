import TinsenseCore

/// The time axis: a tick step from a ladder people read without thinking (1 s … 15 min …
/// 6 h … 1 d … 1 y), ticks on whole multiples of it in UTC, and labels as fine as the step:
/// `02:13:05` for seconds, `02:15` for minutes and hours, `12-01` for days, with the date
/// under the first tick and wherever the day changes.
struct TimeTicks {
    struct Tick: Equatable {
        var time: Int64
        var label: String
        /// The date, when this tick starts a new day (or is the first).
        var date: String?
    }

    var step: Int64
    var ticks: [Tick]

    static let ladder: [Int64] = [
        100, 200, 500,
        1_000, 2_000, 5_000, 10_000, 15_000, 30_000,
        60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000,
        3_600_000, 7_200_000, 10_800_000, 21_600_000, 43_200_000,
        86_400_000, 172_800_000, 604_800_000, 1_209_600_000, 2_592_000_000, 7_776_000_000, 15_552_000_000, 31_536_000_000,
    ]

    /// About `target` ticks in `from…to` (epoch ms).
    init(from: Int64, to: Int64, target: Int) {
        let span = Swift.max(to &- from, 1)
        let raw = span / Int64(Swift.max(target, 1))
        var step = TimeTicks.ladder.first { $0 >= raw } ?? TimeTicks.ladder.last!
        // Beyond the ladder: whole multiples of a year.
        while span / step > Int64(target) * 2 { step = step &* 2 }
        self.step = step
        var t = TimeTicks.floor(from, step)
        if t < from { t = t &+ step }
        var ticks: [Tick] = []
        var lastDate: String?
        while t <= to, ticks.count < 100 {
            let text = RFC3339.format(Timestamp(millisecondsSinceEpoch: t))
            let date = String(text.prefix(10))
            ticks.append(Tick(time: t, label: TimeTicks.label(text, step: step), date: date != lastDate && step < 86_400_000 ? date : nil))
            lastDate = date
            let next = t &+ step
            if next <= t { break }
            t = next
        }
        self.ticks = ticks
    }

    static func floor(_ t: Int64, _ step: Int64) -> Int64 {
        let r = t % step
        return r < 0 ? t - r - step : t - r
    }

    /// `2026-12-01T02:13:05.123Z` → the part the step needs.
    static func label(_ rfc3339: String, step: Int64) -> String {
        let chars = Array(rfc3339)
        func slice(_ a: Int, _ b: Int) -> String { a < chars.count ? String(chars[a..<Swift.min(b, chars.count)]) : "" }
        if step < 1_000 { return slice(11, 23) }
        if step < 60_000 { return slice(11, 19) }
        if step < 86_400_000 { return slice(11, 16) }
        if step < 31_536_000_000 { return slice(0, 10) }
        return slice(0, 4)
    }

    /// `02:13:05`, for labels that name a moment inside the plotted span.
    static func clock(_ t: Int64) -> String {
        label(RFC3339.format(Timestamp(millisecondsSinceEpoch: t)), step: 1_000)
    }

    /// How the whole span reads in a caption: `2026-12-01 02:00 … 2026-12-01 04:00 UTC`.
    static func caption(from: Int64, to: Int64) -> String {
        func short(_ t: Int64) -> String {
            let s = RFC3339.format(Timestamp(millisecondsSinceEpoch: t))
            return String(s.prefix(19)).replacingOccurrences(of: "T", with: " ")
        }
        return short(from) + " … " + short(to) + " UTC"
    }
}

private extension String {
    func replacingOccurrences(of a: Character, with b: String) -> String {
        var out = ""
        for c in self { if c == a { out += b } else { out.append(c) } }
        return out
    }
}

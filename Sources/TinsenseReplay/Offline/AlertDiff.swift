import TinsenseAlerts
import TinsenseCore

/// One alert as the diff sees it: a `firing` line of an alert log.
package struct DiffedAlert: Sendable, Hashable {
    package var sensor: String
    package var rule: String
    package var start: Timestamp
    package var severity: String

    package init(sensor: String, rule: String, start: Timestamp, severity: String) {
        self.sensor = sensor
        self.rule = rule
        self.start = start
        self.severity = severity
    }

    /// The `firing` alerts of alerts.jsonl text, once each (a log may repeat a line after a
    /// replay); other states and lines that do not parse are skipped.
    package static func firing(inLog text: some StringProtocol) -> [DiffedAlert] {
        var seen = Set<DiffedAlert>()
        var out: [DiffedAlert] = []
        for line in text.split(separator: "\n") {
            guard let e = AlertLogEntry(line: line), e.state == AlertTransition.Kind.firing.rawValue,
                  let sensor = e.sensor, let rule = e.rule, let startText = e.startsAt,
                  let start = RFC3339.parse(startText) else { continue }
            let a = DiffedAlert(sensor: sensor, rule: rule, start: start, severity: e.severity ?? "")
            if seen.insert(a).inserted { out.append(a) }
        }
        return out
    }
}

/// How the alerts of a new run differ from an old log: `new` (only in the new run), `gone`
/// (only in the old), `moved` (same sensor and rule, start shifted by at most `tolerance`).
/// Alerts with the same sensor, rule and start are unchanged.
package struct AlertDiff: Sendable {
    package enum Change: Sendable, Hashable {
        case new(DiffedAlert)
        case gone(DiffedAlert)
        case moved(from: DiffedAlert, to: DiffedAlert)

        var time: Timestamp {
            switch self {
            case .new(let a), .gone(let a): a.start
            case .moved(let a, _): a.start
            }
        }
    }

    package private(set) var changes: [Change] = []
    package private(set) var unchanged = 0
    package let oldCount: Int
    package let newCount: Int

    package init(old: [DiffedAlert], new: [DiffedAlert], toleranceMs: Int64) {
        oldCount = old.count
        newCount = new.count
        struct Key: Hashable { var sensor: String; var rule: String }
        var oldBy: [Key: [DiffedAlert]] = [:]
        var newBy: [Key: [DiffedAlert]] = [:]
        for a in old { oldBy[Key(sensor: a.sensor, rule: a.rule), default: []].append(a) }
        for a in new { newBy[Key(sensor: a.sensor, rule: a.rule), default: []].append(a) }
        for key in Set(oldBy.keys).union(newBy.keys) {
            var o = (oldBy[key] ?? []).sorted { $0.start < $1.start }
            var n = (newBy[key] ?? []).sorted { $0.start < $1.start }
            // Same start: unchanged.
            let newStarts = Set(n.map(\.start))
            let same = Set(o.map(\.start)).intersection(newStarts)
            unchanged += same.count
            o.removeAll { same.contains($0.start) }
            n.removeAll { same.contains($0.start) }
            // Then each old alert, earliest first, takes the nearest unclaimed new one in tolerance.
            for a in o {
                let candidates = n.indices.filter { abs(a.start.milliseconds(to: n[$0].start)) <= toleranceMs }
                if let best = candidates.min(by: { abs(a.start.milliseconds(to: n[$0].start)) < abs(a.start.milliseconds(to: n[$1].start)) }) {
                    changes.append(.moved(from: a, to: n.remove(at: best)))
                } else {
                    changes.append(.gone(a))
                }
            }
            changes += n.map { .new($0) }
        }
        changes.sort { ($0.time, $0.line) < ($1.time, $1.line) }
    }

    package var newAlerts: Int { changes.count { if case .new = $0 { true } else { false } } }
    package var goneAlerts: Int { changes.count { if case .gone = $0 { true } else { false } } }
    package var movedAlerts: Int { changes.count { if case .moved = $0 { true } else { false } } }

    /// `summary: 2 new, 1 gone, 3 moved, 40 unchanged (old log 44 alerts, this run 45)`.
    package var summary: String {
        "summary: \(newAlerts) new, \(goneAlerts) gone, \(movedAlerts) moved, \(unchanged) unchanged (old log \(oldCount) alerts, this run \(newCount))"
    }
}

extension AlertDiff.Change {
    /// One line: `new   2026-…Z  sensor  rule  severity`, `gone  …`, or
    /// `moved 2026-…Z -> 2026-…Z (+12s)  sensor  rule`.
    package var line: String {
        switch self {
        case .new(let a): "new    \(RFC3339.format(a.start))  \(a.sensor)  \(a.rule)  \(a.severity)"
        case .gone(let a): "gone   \(RFC3339.format(a.start))  \(a.sensor)  \(a.rule)  \(a.severity)"
        case .moved(let a, let b):
            "moved  \(RFC3339.format(a.start)) -> \(RFC3339.format(b.start)) (\(AlertDiff.shift(a.start.milliseconds(to: b.start))))  \(a.sensor)  \(a.rule)"
        }
    }
}

extension AlertDiff {
    /// `+12s`, `-1.5s`, `+3m05s`.
    static func shift(_ ms: Int64) -> String {
        let sign = ms < 0 ? "-" : "+"
        let a = abs(ms)
        if a < 60_000 {
            return a % 1000 == 0 ? "\(sign)\(a / 1000)s" : "\(sign)\(Double(a) / 1000)s"
        }
        let s = a / 1000
        let sec = s % 60
        return "\(sign)\(s / 60)m\(sec < 10 ? "0" : "")\(sec)s"
    }
}

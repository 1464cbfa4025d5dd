import TinsenseCore

/// Renders alert log entries for a person at a terminal: one aligned line per transition,
/// coloured by state and severity when the output is a terminal, plain otherwise (so the
/// output of `tinsense alerts` can still be grepped or mailed).
package struct AlertLineFormatter: Sendable {
    package var colour: Bool

    package init(colour: Bool) { self.colour = colour }

    private enum Style: String {
        case red = "\u{1B}[1;31m", yellow = "\u{1B}[33m", cyan = "\u{1B}[36m", green = "\u{1B}[32m"
        case dim = "\u{1B}[2m", bold = "\u{1B}[1m", magenta = "\u{1B}[35m"
    }

    private func paint(_ text: String, _ style: Style) -> String {
        colour ? style.rawValue + text + "\u{1B}[0m" : text
    }

    private func padded(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
    }

    /// One line for `entry` (no trailing newline).
    package func format(_ entry: AlertLogEntry) -> String {
        let state = entry.state ?? "?"
        let severity = entry.severity ?? "-"
        // `2026-11-27T03:37:11.250Z` → `2026-11-27 03:37:11.250Z`: easier to scan.
        let time = (entry.time ?? "-").replacingFirst("T", with: " ")
        let stateStyle: Style
        switch state {
        case "firing":
            switch entry.parsedSeverity {
            case .critical?: stateStyle = .red
            case .info?: stateStyle = .cyan
            default: stateStyle = .yellow
            }
        case "resolved": stateStyle = .green
        default: stateStyle = .magenta
        }
        var parts = [
            paint(time, .dim),
            paint(padded(state.uppercased(), 8), stateStyle),
            padded(severity, 8),
            paint(entry.sensor ?? "-", .bold),
            entry.rule ?? "-",
        ]
        if let d = entry.detector { parts.append("[\(d)]") }
        if let s = entry.score {
            let cmp = state == "resolved" ? "<" : "≥"
            let threshold = entry.threshold.map { " \(cmp) \(FixedDecimal.format($0, decimals: 2))" } ?? ""
            parts.append("score \(FixedDecimal.format(s, decimals: 2))\(threshold)")
        }
        if let v = entry.value { parts.append("value \(FixedDecimal.short(v))") }
        if let m = entry.message, !m.isEmpty { parts.append("— " + m) }
        if let id = entry.alertID { parts.append(paint("#" + id.prefix(8), .dim)) }
        return parts.joined(separator: "  ")
    }
}

/// Which alert lines a viewer shows.
package struct AlertLineFilter: Sendable {
    package var minimumSeverity: AlertSeverity?
    /// Only sensors matching this pattern (see `SensorPattern`).
    package var sensor: SensorPattern?

    package init(minimumSeverity: AlertSeverity? = nil, sensor: SensorPattern? = nil) {
        self.minimumSeverity = minimumSeverity
        self.sensor = sensor
    }

    package func accepts(_ e: AlertLogEntry) -> Bool {
        if let minimum = minimumSeverity {
            // Mute lines are `info` but explain missing alerts, so they pass a severity filter.
            let isMute = e.state == "muted" || e.state == "unmuted"
            if !isMute, (e.parsedSeverity ?? .info) < minimum { return false }
        }
        if let sensor, !sensor.matches(e.sensor ?? "") { return false }
        return true
    }
}

extension String {
    func replacingFirst(_ target: Character, with replacement: String) -> String {
        guard let i = firstIndex(of: target) else { return self }
        return String(self[..<i]) + replacement + String(self[index(after: i)...])
    }
}

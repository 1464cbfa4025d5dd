import TinsenseCore
import TinsenseDetect

/// The text `tinsense evaluate faults` prints for a report: a Markdown recall table, a
/// false-alert summary and the detail lists. Kept beside the report so the figures a
/// reader copies into docs/DETECTION.md are pinned by tests.
extension FaultEvaluation.Report {
    /// Recall per fault kind (validation and deadman kinds marked), then the detector recall.
    package var recallLines: [String] {
        var lines = ["| fault | labelled | caught | recall |", "|---|---|---|---|"]
        for k in kinds {
            let note = FaultEvaluation.validationKinds.contains(k.fault) ? " (validation/deadman)" : ""
            lines.append("| \(k.fault)\(note) | \(k.count) | \(k.caught) | \(FixedDecimal.format(k.recall, decimals: 3)) |")
        }
        lines.append("")
        lines.append("detector recall (kinds a detector sees): \(FixedDecimal.format(detectorRecall, decimals: 3))")
        return lines
    }

    /// One line: the false alerts, the fault-free sensor-days they fell in, the rate, and
    /// the count by detector.
    package func falseAlertLine(heading: String) -> String {
        let byDetector = falseAlertsByDetector.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
        return "\(heading): \(falseAlerts) in \(FixedDecimal.format(faultFreeSensorDays, decimals: 3)) fault-free sensor-days = \(FixedDecimal.format(falseAlertsPerSensorDay, decimals: 3)) per sensor per day (by detector: \(byDetector.isEmpty ? "none" : byDetector.joined(separator: ", ")))"
    }

    /// Every missed fault with the best score inside it, then every false alert.
    package var detailLines: [String] {
        var lines = ["", "missed faults:\(misses.isEmpty ? " none" : "")"]
        for m in misses {
            let best = m.bestDetector.map { "best score \(FixedDecimal.format(m.bestScore, decimals: 3)) (\($0): \(m.bestReason ?? ""))" } ?? "no score"
            lines.append("  \(m.label.fault) on \(m.label.sensor) \(RFC3339.format(.init(millisecondsSinceEpoch: m.label.start)))–\(RFC3339.format(.init(millisecondsSinceEpoch: m.label.end))): \(m.readings) readings, \(best)")
        }
        lines.append("false alerts:\(falseAlertList.isEmpty ? " none" : "")")
        for f in falseAlertList { lines.append("  " + f.description) }
        return lines
    }
}

extension FaultEvaluation.FalseAlert: CustomStringConvertible {
    /// `sensor time detector score S: message`.
    package var description: String {
        "\(sensor) \(RFC3339.format(.init(millisecondsSinceEpoch: time))) \(detector) score \(FixedDecimal.format(score, decimals: 3)): \(message)"
    }
}

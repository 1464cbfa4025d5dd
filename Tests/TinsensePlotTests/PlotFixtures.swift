import Foundation
import TinsensePlot

/// Two hours of a furnace temperature with an excursion, and a feed rate, at 1 Hz: what an
/// incident looks like, with an alert, a few uncertain readings and quarantined spikes.
enum PlotFixtures {
    static let start: Int64 = 1_764_547_200_000 // 2025-12-01T00:00:00Z

    static func furnace(seconds: Int = 7_200) -> PlotPanel {
        var s = PlotSeries()
        for i in 0..<seconds {
            let t = start + Int64(i) * 1_000
            var v = 1_250 + 6 * Foundation.sin(Double(i) / 300) + Double((i * 7919) % 13) * 0.3
            if (3_000..<3_600).contains(i) { v += Double(i - 3_000) * 0.15 }
            s.append(time: t, value: v, good: !(i % 997 == 0))
        }
        let alert = PlotAlertSpan(start: start + 3_300_000, end: start + 3_700_000, label: "furnace-overheat", severity: "critical")
        let quarantined = [
            PlotQuarantineMark(time: start + 1_000_000, value: 9_999, reason: "out_of_range"),
            PlotQuarantineMark(time: start + 5_000_000, value: nil, reason: "malformed"),
        ]
        return PlotPanel(sensor: "line1/furnace_temp", unit: "°C", series: s, alerts: [alert], quarantined: quarantined)
    }

    static func feed(points: Int = 400) -> PlotPanel {
        var s = PlotSeries()
        for i in 0..<points {
            s.append(time: start + Int64(i) * 18_000, value: 42 + Double(i % 40) / 8)
        }
        return PlotPanel(sensor: "line1/feed_rate", unit: "t/h", series: s)
    }
}

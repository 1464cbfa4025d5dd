/// Point-wise confusion counts of alarms (score ≥ threshold) against labels.
package struct PointCounts: Sendable, Hashable {
    package var truePositives = 0
    package var falsePositives = 0
    package var falseNegatives = 0

    package init() {}

    package mutating func add(alarm: Bool, label: Bool) {
        switch (alarm, label) {
        case (true, true): truePositives += 1
        case (true, false): falsePositives += 1
        case (false, true): falseNegatives += 1
        case (false, false): break
        }
    }

    package static func + (a: PointCounts, b: PointCounts) -> PointCounts {
        var c = a
        c.truePositives += b.truePositives
        c.falsePositives += b.falsePositives
        c.falseNegatives += b.falseNegatives
        return c
    }

    package var precision: Double { ratio(truePositives, truePositives + falsePositives) }
    package var recall: Double { ratio(truePositives, truePositives + falseNegatives) }
    package var f1: Double { harmonic(precision, recall) }
}

/// The event-level score of this project: does an alarm *start* inside each labelled
/// anomaly, how early, and how many alarm onsets are false?
///
/// Point-wise F1 rewards a detector for staying high through a long anomaly, which is not
/// what an operator needs: one timely alert per incident, and few alerts outside incidents.
/// So, per series:
/// - an anomaly window (a maximal run of labelled rows) is *detected* if any of its rows
///   alarms; its credit is `1 − ½·delay/length` (1 for an alarm on the first row, ½ at the
///   last row), so early detection counts;
/// - an alarm *onset* (a row that alarms after one that did not) is *true* if it falls inside
///   a window, *false* otherwise;
/// - event recall = Σ credit / windows, event precision = true onsets / onsets, and the
///   event F1 is their harmonic mean.
package struct EventCounts: Sendable, Hashable {
    package var windows = 0
    package var credit = 0.0
    package var trueOnsets = 0
    package var falseOnsets = 0

    package init() {}

    /// Scores one series given per-row alarms and labels (same length).
    package init(alarms: [Bool], labels: [Bool]) {
        var i = 0
        let n = min(alarms.count, labels.count)
        while i < n {
            if labels[i] {
                let start = i
                while i < n && labels[i] { i += 1 }
                windows += 1
                if let first = (start..<i).first(where: { alarms[$0] }) {
                    credit += 1 - 0.5 * Double(first - start) / Double(max(1, i - start - 1))
                }
            } else {
                i += 1
            }
        }
        for k in 0..<n where alarms[k] && (k == 0 || !alarms[k - 1]) {
            if labels[k] { trueOnsets += 1 } else { falseOnsets += 1 }
        }
    }

    package static func + (a: EventCounts, b: EventCounts) -> EventCounts {
        var c = a
        c.windows += b.windows
        c.credit += b.credit
        c.trueOnsets += b.trueOnsets
        c.falseOnsets += b.falseOnsets
        return c
    }

    package var recall: Double { windows == 0 ? 0 : credit / Double(windows) }
    package var precision: Double { ratio(trueOnsets, trueOnsets + falseOnsets) }
    package var f1: Double { harmonic(precision, recall) }
}

/// Labelled series scored by one detector, and the metrics at any threshold.
package struct ScoredSeriesSet: Sendable {
    package struct Series: Sendable {
        package var name: String
        package var scores: [Double]
        package var labels: [Bool]
        package init(name: String, scores: [Double], labels: [Bool]) {
            self.name = name
            self.scores = scores
            self.labels = labels
        }
    }

    package var series: [Series] = []
    package init() {}

    package func pointCounts(threshold: Double) -> PointCounts {
        var c = PointCounts()
        for s in series {
            for i in s.scores.indices { c.add(alarm: s.scores[i] >= threshold, label: s.labels[i]) }
        }
        return c
    }

    package func eventCounts(threshold: Double) -> EventCounts {
        series.reduce(EventCounts()) { $0 + EventCounts(alarms: $1.scores.map { $0 >= threshold }, labels: $1.labels) }
    }

    /// The threshold in 0.01…0.99 with the best point-wise F1 (the oracle setting, shown
    /// beside the fixed plant threshold so that ranking quality and calibration are both seen).
    package func bestPointF1() -> (threshold: Double, f1: Double) {
        best { pointCounts(threshold: $0).f1 }
    }

    package func bestEventF1() -> (threshold: Double, f1: Double) {
        best { eventCounts(threshold: $0).f1 }
    }

    private func best(_ metric: (Double) -> Double) -> (threshold: Double, f1: Double) {
        var top = (threshold: 0.5, f1: -1.0)
        for k in 1...99 {
            let t = Double(k) / 100
            let f = metric(t)
            if f > top.f1 { top = (t, f) }
        }
        return top
    }
}

func ratio(_ a: Int, _ b: Int) -> Double { b == 0 ? 0 : Double(a) / Double(b) }
func harmonic(_ p: Double, _ r: Double) -> Double { p + r == 0 ? 0 : 2 * p * r / (p + r) }

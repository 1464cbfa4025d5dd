/// What `PlotRenderer` draws: one panel per sensor sharing a time axis. Plain values, so
/// the module is pure (data in, SVG text out); the command reads the files.
package struct PlotRequest: Sendable {
    package var panels: [PlotPanel]
    /// The time range shown (epoch ms, `from` inclusive, `to` exclusive); nil = the data's.
    package var from: Int64?
    package var to: Int64?
    /// Total picture size in pixels; panels share the height.
    package var width: Int
    package var panelHeight: Int
    package var title: String?

    package init(panels: [PlotPanel], from: Int64? = nil, to: Int64? = nil, width: Int = 1200, panelHeight: Int = 240, title: String? = nil) {
        self.panels = panels
        self.from = from
        self.to = to
        self.width = Swift.max(width, 320)
        self.panelHeight = Swift.max(panelHeight, 120)
        self.title = title
    }
}

/// One sensor's panel.
package struct PlotPanel: Sendable {
    package var sensor: String
    /// The unit shown on the value axis (the readings' unit), nil when they carry none.
    package var unit: String?
    /// Readings in source-time order.
    package var series: PlotSeries
    package var alerts: [PlotAlertSpan]
    package var quarantined: [PlotQuarantineMark]

    package init(sensor: String, unit: String?, series: PlotSeries, alerts: [PlotAlertSpan] = [], quarantined: [PlotQuarantineMark] = []) {
        self.sensor = sensor
        self.unit = unit
        self.series = series
        self.alerts = alerts
        self.quarantined = quarantined
    }
}

/// A series as columns (times and values apart): 10 million readings are 170 MB this way,
/// not the 1 GB of an array of readings.
package struct PlotSeries: Sendable {
    /// Source times, epoch ms, ascending.
    package var times: [Int64] = []
    package var values: [Double] = []
    /// Indexes of readings whose quality is not good (uncertain, bad, stale), ascending.
    package var notGood: [Int] = []
    /// How many of the readings came from the WAL tail (not sealed yet).
    package var fresh = 0

    package init() {}

    package mutating func append(time: Int64, value: Double, good: Bool = true) {
        if !good { notGood.append(times.count) }
        times.append(time)
        values.append(value)
    }

    package var count: Int { times.count }
}

/// An alert's firing → resolved span; `end` nil while it is still firing.
package struct PlotAlertSpan: Sendable, Equatable {
    package var start: Int64
    package var end: Int64?
    package var label: String
    package var severity: String

    package init(start: Int64, end: Int64?, label: String, severity: String) {
        self.start = start
        self.end = end
        self.label = label
        self.severity = severity
    }
}

/// A reading the daemon quarantined: its time and, when the payload could be decoded, its
/// value (often the very value that was out of range).
package struct PlotQuarantineMark: Sendable, Equatable {
    package var time: Int64
    package var value: Double?
    package var reason: String

    package init(time: Int64, value: Double?, reason: String) {
        self.time = time
        self.value = value
        self.reason = reason
    }
}

/// Renders a `PlotRequest` as SVG text: panels stacked top to bottom, one per sensor, sharing
/// the time axis drawn under the last one. Pure: no files, no clock.
///
/// What is drawn, and why, for someone looking at an incident at 2 a.m.:
/// - readings as a line (with dots when few); with more readings than pixel columns, the
///   per-column min/max band plus a line through the column means, so a one-sample spike
///   still shows and the file stays the same size for 10 thousand or 10 million readings;
/// - value axis with nice ticks and the unit; time axis with ticks on whole minutes, hours
///   or days and the date wherever it changes, all in UTC;
/// - alert spans shaded in their severity's colour with the rule named;
/// - readings stored with a quality other than good ringed in orange, quarantined readings
///   as red crosses at their value (on the panel's edge when beyond the axis);
/// - each panel's header says how many readings, their min, max and last value.
///
/// Elements carry `class` and `data-*` attributes (`panel`, `series`, `envelope`,
/// `alert-span`, `not-good`, `quarantined`) so tests and tools can read the picture back.
package enum PlotRenderer {
    static let left = 92.0
    static let right = 28.0
    static let header = 48.0
    static let panelTitle = 24.0
    static let panelGap = 14.0
    static let footer = 62.0

    package static func render(_ request: PlotRequest) -> String {
        let (from, to) = timeRange(request)
        let plotWidth = Double(request.width) - left - right
        let columns = Int(plotWidth)
        let panelCount = Swift.max(request.panels.count, 1)
        let height = Int(header + Double(panelCount) * Double(request.panelHeight) + footer)
        var svg = SVGWriter(width: request.width, height: height)
        svg.element("rect", [("x", "0"), ("y", "0"), ("width", "\(request.width)"), ("height", "\(height)"), ("fill", "#ffffff")])
        let timeTicks = TimeTicks(from: from, to: to, target: Swift.max(2, columns / 110))
        let x = { (t: Int64) -> Double in left + Double(t &- from) / Double(Swift.max(to &- from, 1)) * plotWidth }

        svg.start("g", [("class", "plot"), ("data-from", "\(from)"), ("data-to", "\(to)"), ("data-columns", "\(columns)")])
        svg.element("text", [("x", "\(Int(left))"), ("y", "20"), ("font-size", "15"), ("font-weight", "bold"), ("fill", "#222")],
                    content: request.title ?? TimeTicks.caption(from: from, to: to))
        legend(&svg, right: Double(request.width) - right, y: 38)

        for (p, panel) in request.panels.enumerated() {
            let top = header + Double(p) * Double(request.panelHeight)
            drawPanel(&svg, panel, top: top, height: Double(request.panelHeight) - panelGap, plotWidth: plotWidth,
                      columns: columns, from: from, to: to, timeTicks: timeTicks, x: x)
        }
        if request.panels.isEmpty {
            svg.element("text", [("x", SVGWriter.number(left + plotWidth / 2)), ("y", SVGWriter.number(header + 60)), ("text-anchor", "middle"),
                                 ("font-size", "14"), ("fill", "#777")], content: "no sensor matched")
        }
        let axisY = header + Double(panelCount) * Double(request.panelHeight) - panelGap
        timeAxis(&svg, timeTicks, y: axisY, x: x, plotWidth: plotWidth, from: from, to: to)
        svg.end()
        return svg.finish()
    }

    /// The requested range, else the data's (readings, alerts and quarantined readings),
    /// else a placeholder hour at the epoch so an empty plot still renders.
    static func timeRange(_ r: PlotRequest) -> (Int64, Int64) {
        var lo = Int64.max, hi = Int64.min
        for p in r.panels {
            if let f = p.series.times.first { lo = Swift.min(lo, f) }
            if let l = p.series.times.last { hi = Swift.max(hi, l) }
        }
        if lo > hi {
            for p in r.panels {
                for a in p.alerts { lo = Swift.min(lo, a.start); hi = Swift.max(hi, a.end ?? a.start) }
                for q in p.quarantined { lo = Swift.min(lo, q.time); hi = Swift.max(hi, q.time) }
            }
        }
        let from = r.from ?? (lo <= hi ? lo : (r.to.map { $0 &- 3_600_000 } ?? 0))
        var to = r.to ?? (lo <= hi ? hi : from &+ 3_600_000)
        if to <= from { to = from &+ 60_000 }
        return (from, to)
    }

    static func legend(_ svg: inout SVGWriter, right: Double, y: Double) {
        // Drawn right to left: each item is a swatch and a word.
        let items: [(String, String)] = [("alert", "alert"), ("quarantined", "quarantined"), ("not-good", "uncertain/bad quality"),
                                         ("envelope", "min–max per pixel"), ("series", "reading")]
        var x = right
        svg.start("g", [("class", "legend"), ("font-size", "11"), ("fill", "#444")])
        for (kind, word) in items {
            x -= Double(word.count) * 6.4 + 4
            svg.element("text", [("x", SVGWriter.number(x)), ("y", SVGWriter.number(y))], content: word)
            x -= 18
            let sy = y - 4
            switch kind {
            case "series": svg.element("line", [("x1", SVGWriter.number(x)), ("y1", SVGWriter.number(sy)), ("x2", SVGWriter.number(x + 14)), ("y2", SVGWriter.number(sy)), ("stroke", seriesColour), ("stroke-width", "2")])
            case "envelope": svg.element("rect", [("x", SVGWriter.number(x)), ("y", SVGWriter.number(sy - 5)), ("width", "14"), ("height", "10"), ("fill", envelopeColour)])
            case "not-good": svg.element("circle", [("cx", SVGWriter.number(x + 7)), ("cy", SVGWriter.number(sy)), ("r", "4"), ("fill", "none"), ("stroke", notGoodColour), ("stroke-width", "2")])
            case "quarantined": svg.element("path", [("d", cross(x + 7, sy)), ("stroke", quarantineColour), ("stroke-width", "2")])
            default: svg.element("rect", [("x", SVGWriter.number(x)), ("y", SVGWriter.number(sy - 5)), ("width", "14"), ("height", "10"), ("fill", alertColour("warning")), ("fill-opacity", "0.25")])
            }
            x -= 14
        }
        svg.end()
    }

    static let seriesColour = "#1f4e99"
    static let envelopeColour = "#a9c1e8"
    static let notGoodColour = "#e08a00"
    static let quarantineColour = "#c8102e"
    static let gridColour = "#e3e3e3"

    static func alertColour(_ severity: String) -> String {
        switch severity.lowercased() {
        case "critical", "page", "emergency": "#d62728"
        case "warning", "warn": "#ff9f1c"
        default: "#6f42c1"
        }
    }

    static func cross(_ cx: Double, _ cy: Double, _ r: Double = 4) -> String {
        "M\(SVGWriter.number(cx - r)) \(SVGWriter.number(cy - r))L\(SVGWriter.number(cx + r)) \(SVGWriter.number(cy + r))M\(SVGWriter.number(cx - r)) \(SVGWriter.number(cy + r))L\(SVGWriter.number(cx + r)) \(SVGWriter.number(cy - r))"
    }
}

extension PlotRenderer {
    /// Shaded spans, merged where they would overlap on screen (so thousands of short alerts
    /// cost at most one rectangle per pixel column), each labelled when there is room.
    static func alertSpans(_ svg: inout SVGWriter, _ spans: [PlotAlertSpan], from: Int64, to: Int64, x: (Int64) -> Double,
                           plotTop: Double, plotHeight: Double, plotWidth: Double) {
        var visible: [(x0: Double, x1: Double, start: Int64, end: Int64?, labels: [String], severity: String)] = []
        for s in spans.sorted(by: { $0.start < $1.start }) {
            let end = s.end ?? to
            guard end >= from, s.start <= to else { continue }
            let x0 = Swift.max(left, x(Swift.max(s.start, from)))
            let x1 = Swift.min(left + plotWidth, Swift.max(x0 + 2, x(Swift.min(end, to))))
            let label = s.label + " · " + s.severity + " · " + TimeTicks.clock(s.start) + (s.end.map { "–" + TimeTicks.clock($0) } ?? " (firing)")
            if var last = visible.last, x0 <= last.x1 + 1, last.severity == s.severity {
                last.x1 = Swift.max(last.x1, x1)
                last.end = s.end.flatMap { e in last.end.map { Swift.max($0, e) } }
                if !last.labels.contains(label) { last.labels.append(label) }
                visible[visible.count - 1] = last
            } else {
                visible.append((x0, x1, s.start, s.end, [label], s.severity))
            }
        }
        guard !visible.isEmpty else { return }
        svg.start("g", [("class", "alerts"), ("font-size", "11")])
        for (n, v) in visible.enumerated() {
            let colour = alertColour(v.severity)
            svg.element("rect", [("class", "alert-span"), ("data-start", "\(v.start)"), ("data-end", v.end.map { "\($0)" } ?? "firing"),
                                 ("data-severity", v.severity), ("x", SVGWriter.number(v.x0)), ("y", SVGWriter.number(plotTop)),
                                 ("width", SVGWriter.number(v.x1 - v.x0)), ("height", SVGWriter.number(plotHeight)),
                                 ("fill", colour), ("fill-opacity", "0.16")])
            svg.element("rect", [("x", SVGWriter.number(v.x0)), ("y", SVGWriter.number(plotTop)), ("width", SVGWriter.number(v.x1 - v.x0)),
                                 ("height", "4"), ("fill", colour)])
            var text = v.labels.count > 1 ? "\(v.labels[0]) +\(v.labels.count - 1)" : v.labels[0]
            // Labels go right of the span's start, stepping down so neighbours do not collide.
            let room = left + plotWidth - v.x0 - 4
            let fits = Int(room / 6.4)
            guard fits >= 4 else { continue }
            if text.count > fits { text = String(text.prefix(fits - 1)) + "…" }
            svg.element("text", [("class", "alert-label"), ("x", SVGWriter.number(v.x0 + 3)), ("y", SVGWriter.number(plotTop + 16 + Double(n % 3) * 13)),
                                 ("fill", colour == alertColour("warning") ? "#8a5300" : colour), ("font-weight", "bold")], content: text)
        }
        svg.end()
    }

    /// Orange rings on readings whose quality is not good: one per pixel column at most.
    static func notGoodMarks(_ svg: inout SVGWriter, _ s: PlotSeries, from: Int64, to: Int64, x: (Int64) -> Double, y: (Double) -> Double,
                             columns: Int, plotWidth: Double) {
        guard !s.notGood.isEmpty else { return }
        var byColumn: [Int: (i: Int, count: Int)] = [:]
        for i in s.notGood where s.times[i] >= from && s.times[i] <= to {
            let k = Swift.min(columns - 1, Swift.max(0, Int((x(s.times[i]) - left) / plotWidth * Double(columns))))
            byColumn[k] = (byColumn[k]?.i ?? i, (byColumn[k]?.count ?? 0) + 1)
        }
        guard !byColumn.isEmpty else { return }
        svg.start("g", [("class", "not-good-marks"), ("fill", "none"), ("stroke", notGoodColour), ("stroke-width", "2")])
        for k in byColumn.keys.sorted() {
            let (i, count) = byColumn[k]!
            svg.element("circle", [("class", "not-good"), ("data-count", "\(count)"), ("data-time", "\(s.times[i])"),
                                   ("cx", SVGWriter.number(x(s.times[i]))), ("cy", SVGWriter.number(y(s.values[i]))), ("r", "4.5")])
        }
        svg.end()
    }

    /// Red crosses for quarantined readings, one per pixel column at most, at their value;
    /// on the top or bottom edge when the value is beyond the axis, on the bottom edge when
    /// the payload gave none.
    static func quarantineMarks(_ svg: inout SVGWriter, _ marks: [PlotQuarantineMark], from: Int64, to: Int64, x: (Int64) -> Double,
                                y: (Double) -> Double, columns: Int, plotWidth: Double, plotTop: Double, plotBottom: Double) {
        var byColumn: [Int: (mark: PlotQuarantineMark, count: Int)] = [:]
        for m in marks where m.time >= from && m.time <= to {
            let k = Swift.min(columns - 1, Swift.max(0, Int((x(m.time) - left) / plotWidth * Double(columns))))
            byColumn[k] = (byColumn[k]?.mark ?? m, (byColumn[k]?.count ?? 0) + 1)
        }
        guard !byColumn.isEmpty else { return }
        svg.start("g", [("class", "quarantine-marks"), ("stroke", quarantineColour), ("stroke-width", "2"), ("fill", "none")])
        var labelled = 0
        var lastLabelX = -Double.infinity
        for k in byColumn.keys.sorted() {
            let (m, count) = byColumn[k]!
            var cy = m.value.map(y) ?? plotBottom - 5
            let clamped = cy < plotTop + 5 || cy > plotBottom - 5 || !cy.isFinite
            if !cy.isFinite { cy = plotBottom - 5 }
            cy = Swift.min(plotBottom - 5, Swift.max(plotTop + 5, cy))
            svg.element("path", [("class", "quarantined"), ("data-count", "\(count)"), ("data-time", "\(m.time)"), ("data-reason", m.reason),
                                 ("data-clamped", clamped ? "true" : "false"), ("d", cross(x(m.time), cy))])
            // Off the axis: say what the value was, or that there was none, next to the cross.
            // One label per 70 px at most: a burst of quarantined readings gets one, not a smear.
            if clamped || m.value == nil, labelled < 40, x(m.time) - lastLabelX > 70 {
                labelled += 1
                lastLabelX = x(m.time)
                let text = m.value.map(ValueTicks.compact) ?? m.reason
                let anchorRight = x(m.time) > left + plotWidth - 80
                svg.element("text", [("class", "quarantine-label"), ("x", SVGWriter.number(x(m.time) + (anchorRight ? -7 : 7))),
                                     ("y", SVGWriter.number(cy + 4)), ("font-size", "11"), ("fill", quarantineColour), ("stroke", "none"),
                                     ("text-anchor", anchorRight ? "end" : "start")], content: text)
            }
        }
        svg.end()
    }

    /// Tick labels under the last panel, the date under the first tick of each day, and
    /// the axis name with its time zone.
    static func timeAxis(_ svg: inout SVGWriter, _ ticks: TimeTicks, y: Double, x: (Int64) -> Double, plotWidth: Double, from: Int64, to: Int64) {
        svg.start("g", [("class", "time-axis"), ("font-size", "12"), ("fill", "#333"), ("text-anchor", "middle")])
        for t in ticks.ticks {
            let tx = x(t.time)
            svg.element("line", [("x1", SVGWriter.number(tx)), ("y1", SVGWriter.number(y)), ("x2", SVGWriter.number(tx)), ("y2", SVGWriter.number(y + 5)),
                                 ("stroke", "#666")])
            svg.element("text", [("class", "tick-label"), ("data-time", "\(t.time)"), ("x", SVGWriter.number(tx)), ("y", SVGWriter.number(y + 18))],
                        content: t.label)
            if let d = t.date {
                svg.element("text", [("class", "date-label"), ("x", SVGWriter.number(tx)), ("y", SVGWriter.number(y + 33)), ("fill", "#666")], content: d)
            }
        }
        svg.element("text", [("x", SVGWriter.number(left + plotWidth)), ("y", SVGWriter.number(y + 50)), ("text-anchor", "end"), ("fill", "#555")],
                    content: "time (UTC)")
        svg.end()
    }
}

extension PlotRenderer {
    /// One sensor: header line, value axis and grid, alert spans behind the data, the data,
    /// then the marks on top.
    static func drawPanel(
        _ svg: inout SVGWriter, _ panel: PlotPanel, top: Double, height: Double, plotWidth: Double, columns: Int,
        from: Int64, to: Int64, timeTicks: TimeTicks, x: (Int64) -> Double
    ) {
        let plotTop = top + panelTitle
        let plotHeight = height - panelTitle
        let plotBottom = plotTop + plotHeight
        let envelope = ColumnEnvelope(series: panel.series, from: from, to: to, columns: columns)
        let present = envelope.columns.compactMap { $0 }
        let inRange = present.reduce(0) { $0 + $1.count }
        let lo = present.map(\.min).min(), hi = present.map(\.max).max()
        let axis = ValueTicks(minimum: lo ?? 0, maximum: hi ?? 1, target: Swift.max(2, Int(plotHeight / 45)))
        let y = { (v: Double) -> Double in
            let a = axis.high / 2 - v / 2, span = axis.high / 2 - axis.low / 2
            return plotTop + (span > 0 ? a / span : 0.5) * plotHeight
        }
        let mode = inRange > columns ? "envelope" : "points"
        svg.start("g", [("class", "panel"), ("data-sensor", panel.sensor), ("data-points", "\(inRange)"), ("data-mode", mode),
                        ("data-low", "\(axis.low)"), ("data-high", "\(axis.high)"), ("data-top", SVGWriter.number(plotTop)),
                        ("data-bottom", SVGWriter.number(plotBottom))])
        panelHeader(&svg, panel, present: present, inRange: inRange, top: top, plotWidth: plotWidth)

        // Frame, grid, value labels, unit.
        svg.element("rect", [("x", SVGWriter.number(left)), ("y", SVGWriter.number(plotTop)), ("width", SVGWriter.number(plotWidth)),
                             ("height", SVGWriter.number(plotHeight)), ("fill", "#fcfcfc"), ("stroke", "#b0b0b0")])
        svg.start("g", [("class", "grid"), ("stroke", gridColour), ("stroke-width", "1")])
        for t in timeTicks.ticks {
            let gx = SVGWriter.number(x(t.time))
            svg.element("line", [("x1", gx), ("y1", SVGWriter.number(plotTop)), ("x2", gx), ("y2", SVGWriter.number(plotBottom))])
        }
        for v in axis.ticks {
            let gy = SVGWriter.number(y(v))
            svg.element("line", [("x1", SVGWriter.number(left)), ("y1", gy), ("x2", SVGWriter.number(left + plotWidth)), ("y2", gy)])
        }
        svg.end()
        svg.start("g", [("class", "value-axis"), ("font-size", "12"), ("fill", "#333"), ("text-anchor", "end")])
        for v in axis.ticks {
            svg.element("text", [("class", "tick-label"), ("x", SVGWriter.number(left - 6)), ("y", SVGWriter.number(y(v) + 4))], content: axis.label(v))
        }
        let unitText = panel.unit.map { $0.isEmpty ? "value" : $0 } ?? "value"
        let cy = plotTop + plotHeight / 2
        svg.element("text", [("class", "unit"), ("x", "16"), ("y", SVGWriter.number(cy)), ("text-anchor", "middle"), ("font-size", "13"),
                             ("transform", "rotate(-90 16 \(SVGWriter.number(cy)))")], content: unitText)
        svg.end()

        alertSpans(&svg, panel.alerts, from: from, to: to, x: x, plotTop: plotTop, plotHeight: plotHeight, plotWidth: plotWidth)

        if inRange == 0 {
            svg.element("text", [("x", SVGWriter.number(left + plotWidth / 2)), ("y", SVGWriter.number(cy)), ("text-anchor", "middle"),
                                 ("font-size", "14"), ("fill", "#888")], content: "no readings in this range")
        } else if mode == "envelope" {
            // Empty columns are bridged unless they stand for a real pause: more than five
            // times the readings' average interval.
            let usual = Double(to &- from) / Double(Swift.max(inRange - 1, 1))
            let bridge = Int((5 * usual / Double(Swift.max(to &- from, 1)) * Double(columns)).rounded(.down))
            drawEnvelope(&svg, envelope, plotWidth: plotWidth, bridge: bridge, y: y)
        } else {
            drawPoints(&svg, panel.series, from: from, to: to, x: x, y: y, columns: columns)
        }
        notGoodMarks(&svg, panel.series, from: from, to: to, x: x, y: y, columns: columns, plotWidth: plotWidth)
        quarantineMarks(&svg, panel.quarantined, from: from, to: to, x: x, y: y, columns: columns, plotWidth: plotWidth,
                        plotTop: plotTop, plotBottom: plotBottom)
        svg.end()
    }

    /// `line1/s3 · 1,204 readings (12 not sealed yet) · min 3.2 · max 9.9 · last 7.1 °C`.
    static func panelHeader(_ svg: inout SVGWriter, _ panel: PlotPanel, present: [ColumnEnvelope.Column], inRange: Int, top: Double, plotWidth: Double) {
        let baseline = SVGWriter.number(top + panelTitle - 7)
        svg.element("text", [("class", "sensor"), ("x", SVGWriter.number(left)), ("y", baseline), ("font-size", "14"), ("font-weight", "bold"), ("fill", "#111")],
                    content: panel.sensor)
        var facts = "\(inRange) reading\(inRange == 1 ? "" : "s")"
        if panel.series.fresh > 0 { facts += " (\(panel.series.fresh) not sealed yet)" }
        if let lo = present.map(\.min).min(), let hi = present.map(\.max).max(), let last = present.last?.last {
            let step = ValueTicks(minimum: lo, maximum: hi).step / 100
            let unit = panel.unit.map { " " + $0 } ?? ""
            facts += " · min \(ValueTicks.format(lo, step: step)) · max \(ValueTicks.format(hi, step: step)) · last \(ValueTicks.format(last, step: step))\(unit)"
        }
        if !panel.quarantined.isEmpty { facts += " · \(panel.quarantined.count) quarantined" }
        svg.element("text", [("class", "facts"), ("x", SVGWriter.number(left + plotWidth)), ("y", baseline), ("font-size", "12"), ("fill", "#444"),
                             ("text-anchor", "end")], content: facts)
    }

    /// Runs of up to `bridge` empty columns do not break the band and the line.
    static func drawEnvelope(_ svg: inout SVGWriter, _ envelope: ColumnEnvelope, plotWidth: Double, bridge: Int, y: (Double) -> Double) {
        let w = plotWidth / Double(envelope.columns.count)
        var band = ""
        var means: [String] = []
        var run: [(Int, ColumnEnvelope.Column)] = []
        func flush() {
            guard !run.isEmpty else { return }
            var top = "", bottom: [String] = []
            for (k, c) in run {
                let x0 = SVGWriter.number(left + Double(k) * w), x1 = SVGWriter.number(left + Double(k + 1) * w)
                // A band at least a pixel tall, so a flat stretch still shows.
                var ya = y(c.max), yb = y(c.min)
                if yb - ya < 1 { let m = (ya + yb) / 2; ya = m - 0.5; yb = m + 0.5 }
                top += (top.isEmpty ? "M" : "L") + x0 + " " + SVGWriter.number(ya) + "L" + x1 + " " + SVGWriter.number(ya)
                bottom.append("L" + x1 + " " + SVGWriter.number(yb) + "L" + x0 + " " + SVGWriter.number(yb))
            }
            band += top + bottom.reversed().joined() + "Z"
            means.append(run.map { SVGWriter.number(left + (Double($0.0) + 0.5) * w) + "," + SVGWriter.number(y($0.1.mean)) }.joined(separator: " "))
            run.removeAll()
        }
        var empty = 0
        for (k, c) in envelope.columns.enumerated() {
            if let c {
                if empty > bridge { flush() }
                empty = 0
                run.append((k, c))
            } else {
                empty += 1
            }
        }
        flush()
        svg.element("path", [("class", "envelope"), ("d", band), ("fill", envelopeColour), ("stroke", "none")])
        for m in means {
            svg.element("polyline", [("class", "series"), ("points", m), ("fill", "none"), ("stroke", seriesColour), ("stroke-width", "1.5"),
                                     ("stroke-linejoin", "round")])
        }
    }

    /// Every reading (there are no more than pixel columns): a line, broken where the
    /// readings stop for much longer than their usual interval, with dots when sparse.
    static func drawPoints(_ svg: inout SVGWriter, _ s: PlotSeries, from: Int64, to: Int64, x: (Int64) -> Double, y: (Double) -> Double, columns: Int) {
        let indexes = (0..<s.count).filter { s.times[$0] >= from && s.times[$0] <= to }
        var gaps = zip(indexes.dropFirst(), indexes).map { s.times[$0.0] &- s.times[$0.1] }
        gaps.sort()
        let usual = gaps.isEmpty ? Int64.max : gaps[gaps.count / 2]
        let breakAfter = usual > Int64.max / 5 ? Int64.max : Swift.max(usual * 5, 1)
        var runs: [[Int]] = [[]]
        for (n, i) in indexes.enumerated() {
            if n > 0, s.times[i] &- s.times[indexes[n - 1]] > breakAfter { runs.append([]) }
            runs[runs.count - 1].append(i)
        }
        for run in runs where !run.isEmpty {
            let points = run.map { SVGWriter.number(x(s.times[$0])) + "," + SVGWriter.number(y(s.values[$0])) }.joined(separator: " ")
            svg.element("polyline", [("class", "series"), ("points", points), ("fill", "none"), ("stroke", seriesColour), ("stroke-width", "1.5"),
                                     ("stroke-linejoin", "round")])
        }
        guard indexes.count <= columns / 6 else { return }
        svg.start("g", [("class", "dots"), ("fill", seriesColour)])
        for i in indexes {
            svg.element("circle", [("class", "point"), ("cx", SVGWriter.number(x(s.times[i]))), ("cy", SVGWriter.number(y(s.values[i]))), ("r", "2.5")])
        }
        svg.end()
    }
}

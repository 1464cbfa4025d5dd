import Foundation
import Testing
import TinsensePlot

@Suite("plot hostile input")
struct PlotHostileInputTests {
    func render(_ panels: [PlotPanel], from: Int64? = nil, to: Int64? = nil) throws -> (String, SVGStructure) {
        let svg = PlotRenderer.render(PlotRequest(panels: panels, from: from, to: to))
        return (svg, try SVGStructure(svg))
    }

    @Test("no panels, an empty series, one point and a constant series all render and say what they show")
    func degenerate() throws {
        let (_, none) = try render([])
        #expect(none.elements.contains { $0.text == "no sensor matched" })
        let (_, empty) = try render([PlotPanel(sensor: "a", unit: nil, series: PlotSeries())])
        #expect(empty.elements.contains { $0.text == "no readings in this range" })
        var one = PlotSeries()
        one.append(time: 1_000_000, value: 3.5)
        let (_, single) = try render([PlotPanel(sensor: "one", unit: "bar", series: one)])
        #expect(single.all("point").count == 1)
        var flat = PlotSeries()
        for i in 0..<100 { flat.append(time: Int64(i) * 1_000, value: 7) }
        let (_, constant) = try render([PlotPanel(sensor: "flat", unit: "bar", series: flat)])
        let labels = constant.all("tick-label", panel: "flat").map(\.text)
        #expect(labels.count >= 2 && Set(labels).count == labels.count, "distinct value ticks around a constant: \(labels)")
    }

    @Test("a range of ±1e300 gives finite coordinates and exponent labels")
    func hugeRange() throws {
        var s = PlotSeries()
        s.append(time: 0, value: -1e300)
        s.append(time: 60_000, value: 1e300)
        s.append(time: 120_000, value: 0)
        let (svg, parsed) = try render([PlotPanel(sensor: "huge", unit: nil, series: s)])
        #expect(!svg.contains("nan") && !svg.contains("inf"))
        let ys = parsed.all("series").flatMap { polylinePoints($0.attributes["points"] ?? "") }.map(\.y)
        #expect(ys.count == 3 && ys[1] < ys[2] && ys[2] < ys[0])
        #expect(parsed.all("tick-label", panel: "huge").contains { $0.text.contains("e") })
    }

    @Test("10 million readings make an SVG no bigger than a few thousand readings do")
    func tenMillion() throws {
        var s = PlotSeries()
        s.times.reserveCapacity(10_000_000)
        s.values.reserveCapacity(10_000_000)
        for i in 0..<10_000_000 { s.append(time: Int64(i) * 10, value: Double(i % 1_000) - (i == 5_000_000 ? 1e6 : 0)) }
        let (svg, parsed) = try render([PlotPanel(sensor: "dense", unit: "u", series: s)])
        #expect(svg.utf8.count < 200_000, "\(svg.utf8.count) bytes")
        let p = try #require(parsed.all("panel").first)
        #expect(p.attributes["data-points"] == "10000000" && p.attributes["data-mode"] == "envelope")
        #expect(Double(p.attributes["data-low"]!)! <= -1e6, "the single spike sets the axis")
    }

    @Test("sensor names, units and labels with < & \" > ' are escaped and read back unchanged")
    func escaping() throws {
        let name = "line<1>/\"temp\" & 'co'\u{1}"
        var s = PlotSeries()
        s.append(time: 0, value: 1)
        s.append(time: 1_000, value: 2)
        let panel = PlotPanel(sensor: name, unit: "<°C>", series: s, alerts: [PlotAlertSpan(start: 0, end: 500, label: "</text><script>", severity: "x\"y")])
        let (svg, parsed) = try render([panel])
        #expect(!svg.contains("<script>"))
        #expect(parsed.all("panel").first?.attributes["data-sensor"] == "line<1>/\"temp\" & 'co'\u{FFFD}")
        #expect(parsed.all("sensor").first?.text == "line<1>/\"temp\" & 'co'\u{FFFD}")
        #expect(parsed.all("unit").first?.text == "<°C>")
    }
}

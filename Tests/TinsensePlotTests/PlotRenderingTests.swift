import Foundation
import Testing
import TinsensePlot
import TinsenseTestSupport

@Suite("plot rendering")
struct PlotRenderingTests {
    @Test("an incident plot renders to a valid PNG with rsvg-convert")
    func rendersToPNG() throws {
        let dir = TemporaryDirectory("plot-png")
        let svg = PlotRenderer.render(PlotRequest(panels: [PlotFixtures.furnace(), PlotFixtures.feed()]))
        try svg.write(toFile: dir.file("incident.svg"), atomically: true, encoding: .utf8)
        let p = try ChildProcess("/usr/bin/rsvg-convert", [dir.file("incident.svg"), "-o", dir.file("incident.png")], errorPath: dir.file("err"))
        let status = p.wait()
        let err = (try? String(contentsOfFile: dir.file("err"), encoding: .utf8)) ?? ""
        #expect(status == 0, "rsvg-convert: \(err)")
        let png = try Data(contentsOf: URL(fileURLWithPath: dir.file("incident.png")))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]), "PNG signature")
        // IHDR: width and height big-endian at bytes 16…23.
        let w = png[16..<20].reduce(0) { $0 << 8 | Int($1) }, h = png[20..<24].reduce(0) { $0 << 8 | Int($1) }
        #expect(w == 1200 && h > 2 * 240, "PNG is \(w)×\(h)")
        if let keep = ProcessInfo.processInfo.environment["TINSENSE_PLOT_KEEP"] {
            try? FileManager.default.removeItem(atPath: keep)
            try FileManager.default.copyItem(atPath: dir.file("incident.png"), toPath: keep)
        }
    }

    @Test("with fewer readings than pixels, every reading is a vertex of the line")
    func pointsMode() throws {
        let panel = PlotFixtures.feed(points: 400)
        let s = try SVGStructure(PlotRenderer.render(PlotRequest(panels: [panel])))
        let p = try #require(s.all("panel").first)
        #expect(p.attributes["data-mode"] == "points" && p.attributes["data-points"] == "400")
        let vertices = s.all("series").flatMap { polylinePoints($0.attributes["points"] ?? "") }
        #expect(vertices.count == 400)
        // Higher values are higher on screen: the order of y follows the order of values.
        let top = try #require(Double(p.attributes["data-top"] ?? "")), bottom = try #require(Double(p.attributes["data-bottom"] ?? ""))
        let low = try #require(Double(p.attributes["data-low"] ?? "")), high = try #require(Double(p.attributes["data-high"] ?? ""))
        for (k, v) in vertices.enumerated() {
            let expected = top + (high - panel.series.values[k]) / (high - low) * (bottom - top)
            #expect(abs(v.y - expected) < 0.11, "vertex \(k)")
        }
        #expect(vertices.map(\.x) == vertices.map(\.x).sorted())
    }

    @Test("with more readings than pixels, the envelope holds each column's min and max and the size is bounded")
    func envelopeMode() throws {
        let panel = PlotFixtures.furnace()
        let svg = PlotRenderer.render(PlotRequest(panels: [panel]))
        let s = try SVGStructure(svg)
        let p = try #require(s.all("panel").first)
        #expect(p.attributes["data-mode"] == "envelope" && p.attributes["data-points"] == "7200")
        let top = try #require(Double(p.attributes["data-top"] ?? "")), bottom = try #require(Double(p.attributes["data-bottom"] ?? ""))
        let low = try #require(Double(p.attributes["data-low"] ?? "")), high = try #require(Double(p.attributes["data-high"] ?? ""))
        let envelope = try #require(s.all("envelope").first?.attributes["d"])
        let numbers = pathNumbers(envelope)
        let ys = stride(from: 1, to: numbers.count, by: 2).map { numbers[$0] }
        let y = { (v: Double) in top + (high - v) / (high - low) * (bottom - top) }
        // The band reaches exactly the data's extremes (the spike is not averaged away).
        #expect(abs(ys.min()! - y(panel.series.values.max()!)) < 0.6)
        #expect(abs(ys.max()! - y(panel.series.values.min()!)) < 0.6)
        let means = s.all("series").flatMap { polylinePoints($0.attributes["points"] ?? "") }
        #expect(means.count == 1200 - 92 - 28, "one mean per pixel column")
    }

    @Test("alert spans cover firing → resolved on the time axis; open alerts run to the end")
    func alertSpans() throws {
        var panel = PlotFixtures.furnace()
        panel.alerts.append(PlotAlertSpan(start: PlotFixtures.start + 4_500_000, end: nil, label: "feed <stalled> & \"stuck\"", severity: "warning"))
        let s = try SVGStructure(PlotRenderer.render(PlotRequest(panels: [panel])))
        let plot = try #require(s.all("plot").first)
        let from = try #require(Double(plot.attributes["data-from"] ?? "")), to = try #require(Double(plot.attributes["data-to"] ?? ""))
        let x = { (t: Int64) in 92 + (Double(t) - from) / (to - from) * (1200 - 92 - 28) }
        let spans = s.all("alert-span")
        #expect(spans.count == 2)
        let first = try #require(spans.first)
        #expect(first.attributes["data-start"] == "\(PlotFixtures.start + 3_300_000)" && first.attributes["data-end"] == "\(PlotFixtures.start + 3_700_000)")
        let x0 = try #require(Double(first.attributes["x"] ?? "")), w = try #require(Double(first.attributes["width"] ?? ""))
        #expect(abs(x0 - x(PlotFixtures.start + 3_300_000)) < 0.11 && abs(x0 + w - x(PlotFixtures.start + 3_700_000)) < 0.2)
        #expect(spans[1].attributes["data-end"] == "firing")
        let labels = s.all("alert-label").map(\.text)
        #expect(labels.contains("furnace-overheat · critical · 00:55:00–01:01:40"), "\(labels)")
        #expect(labels.contains("feed <stalled> & \"stuck\" · warning · 01:15:00 (firing)"), "\(labels)")
    }

    @Test("quality and quarantine marks sit at their readings; values beyond the axis are pinned to the edge")
    func marks() throws {
        let panel = PlotFixtures.furnace()
        let s = try SVGStructure(PlotRenderer.render(PlotRequest(panels: [panel])))
        let notGood = s.all("not-good")
        #expect(notGood.reduce(0) { $0 + Int($1.attributes["data-count"]!)! } == panel.series.notGood.count)
        let q = s.all("quarantined")
        #expect(q.count == 2)
        #expect(q.map { $0.attributes["data-clamped"] } == ["true", "false"], "9999 °C is far above the axis; the malformed one has no value and sits on the bottom rail")
        #expect(q.map { $0.attributes["data-reason"] } == ["out_of_range", "malformed"])
    }
}

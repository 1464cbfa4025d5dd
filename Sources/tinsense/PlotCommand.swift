import Foundation
import ArgumentParser
import TinsenseCore
import TinsenseDaemon
import TinsensePlot
import TinsenseStorage

/// `tinsense plot`: stored readings of one or more sensors as an SVG picture.
struct PlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot",
        abstract: "Plot sensors over time as SVG: stacked panels, alert spans, uncertain and quarantined readings marked.",
        discussion: """
        One panel per sensor, all sharing the time axis (UTC). With more readings than pixel
        columns a panel shows each column's min–max band and a line through the means, so
        spikes stay visible and the file size does not grow with the reading count. Alert
        spans (firing → resolved, from the alert log) are shaded and labelled; readings of
        quality uncertain, bad or stale are ringed; quarantined readings (quarantine log) are
        red crosses at their value, on the panel's edge when beyond the axis.

        --sensor takes a sensor id or pattern (* ? [a-z] \\; docs/SENSOR-PATTERNS.md) and may
        be repeated. Readings not sealed yet are read from the WAL as `export` does (--config,
        --sealed-only). --alerts defaults to <data>/alerts.jsonl when it exists. See docs/PLOT.md.

        Example:
          tinsense plot --data /var/lib/tinsense --sensor 'line1/*' --sensor line2/feed_rate \\
            --from 2026-12-01T01:00:00Z --to 2026-12-01T03:00:00Z -o incident.svg
          rsvg-convert incident.svg -o incident.png    # PNG, if you need one
        """
    )

    @Option(help: "The data directory.")
    var data: String

    @Option(name: .customLong("sensor"), help: "A sensor id or pattern; repeat for more panels.")
    var sensors: [String] = []

    @Option(help: "Inclusive start (RFC 3339 or epoch ms); default: the first reading.")
    var from: String?

    @Option(help: "Exclusive end (RFC 3339 or epoch ms); default: the last reading.")
    var to: String?

    @Option(help: "The alert log to shade spans from (default <data>/alerts.jsonl when it exists).")
    var alerts: String?

    @Option(name: .shortAndLong, help: "The SVG file to write.")
    var output: String

    @Option(help: "Picture width in pixels.")
    var width: Int = 1200

    @Option(help: "Height of each sensor's panel in pixels.")
    var panelHeight: Int = 240

    @Option(help: "At most this many panels (the first sensors matched).")
    var maxPanels: Int = 24

    @OptionGroup var fresh: FreshDataOptions

    func validate() throws {
        if sensors.isEmpty { throw usageError("plot", "give at least one --sensor") }
        if let f = from, CSVImporter.parseTime(f) == nil { throw usageError("plot", "--from: cannot read time \"\(f)\"") }
        if let t = to, CSVImporter.parseTime(t) == nil { throw usageError("plot", "--to: cannot read time \"\(t)\"") }
        if !(320...20_000).contains(width) { throw usageError("plot", "--width must be 320…20000 pixels") }
        if !(120...4_000).contains(panelHeight) { throw usageError("plot", "--panel-height must be 120…4000 pixels") }
        if maxPanels < 1 { throw usageError("plot", "--max-panels must be at least 1") }
    }

    func run() throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: data, isDirectory: &isDirectory), isDirectory.boolValue else {
            printError("plot: \(data) is not a directory")
            throw ExitCodes.usage
        }
        let lo = from.flatMap(CSVImporter.parseTime), hi = to.flatMap(CSVImporter.parseTime)
        let patterns = sensors.map(SensorPattern.init)
        let inputs: PlotInputs
        let tail: FreshDataOptions.Tail
        do {
            let read = try fresh.read(command: "plot", data: data, sensor: nil, from: lo, to: hi)
            tail = read.tail
            var freshReadings: [Reading] = []
            if case .fresh(let f) = tail { freshReadings = f.readings }
            let alertsPath = alerts ?? (FileManager.default.fileExists(atPath: data + "/alerts.jsonl") ? data + "/alerts.jsonl" : nil)
            inputs = try PlotInputs.collect(data: data, patterns: patterns, from: lo, to: hi, sealed: read.sealed, fresh: freshReadings,
                                            alertsPath: alertsPath, maxPanels: maxPanels)
        } catch let e as ExitCode {
            throw e
        } catch {
            printError("plot: \(error)")
            throw ExitCodes.runtimeFailure
        }
        let request = PlotRequest(panels: inputs.panels, from: lo?.millisecondsSinceEpoch, to: hi?.millisecondsSinceEpoch,
                                  width: width, panelHeight: panelHeight)
        let svg = PlotRenderer.render(request)
        do {
            try svg.write(toFile: output, atomically: true, encoding: .utf8)
        } catch {
            printError("plot: cannot write \(output): \(error)")
            throw ExitCodes.runtimeFailure
        }
        if let warning = FreshDataOptions.warning(tail, command: "plot") { printError(warning) }
        if inputs.panels.isEmpty { printError("plot: no sensor matched \(sensors.joined(separator: " ")); the picture says so") }
        if inputs.leftOut > 0 { printError("plot: \(inputs.leftOut) more matching sensors left out (--max-panels \(maxPanels))") }
        let points = inputs.panels.reduce(0) { $0 + $1.series.count }
        printError("plot: wrote \(output): \(inputs.panels.count) panel\(inputs.panels.count == 1 ? "" : "s"), \(points) readings")
        for d in inputs.damage { printError("plot: damaged: \(d)") }
        if !inputs.damage.isEmpty { throw ExitCodes.runtimeFailure }
    }
}

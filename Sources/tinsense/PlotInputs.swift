import Foundation
import TinsenseAlerts
import TinsenseCore
import TinsenseDaemon
import TinsenseDecode
import TinsensePlot
import TinsenseStorage

/// What `tinsense plot` reads for its panels: the readings (sealed, then the WAL tail), the
/// alert log's firing → resolved spans and the quarantine log's lines, per sensor.
struct PlotInputs {
    var panels: [PlotPanel] = []
    /// Sensors that matched but were left out beyond `--max-panels`.
    var leftOut = 0
    var damage: [DamageReport] = []

    /// Sensors in the order of the patterns that matched them first, byte order within one.
    static func collect(
        data: String, patterns: [SensorPattern], from: Timestamp?, to: Timestamp?, sealed: SealedState, fresh: [Reading],
        alertsPath: String?, maxPanels: Int
    ) throws -> PlotInputs {
        var out = PlotInputs()
        var bySensor: [String: (series: PlotSeries, unit: String?)] = [:]
        var order: [String] = []
        let directory = DataDirectory(path: data)
        for pattern in patterns {
            let cursor = try directory.readings(sensor: pattern, from: from, to: to, segmentFiles: sealed.segmentFiles)
            var merged = MergedReadings(sealed: cursor, fresh: fresh.filter { pattern.matches($0.sensor) })
            // Sensors this pattern is filling; one an earlier pattern matched is not read twice.
            var mine = Set<String>()
            var skipped = Set<String>()
            while let (r, source) = merged.next() {
                if !mine.contains(r.sensor) {
                    guard bySensor[r.sensor] == nil, order.count < maxPanels else {
                        if bySensor[r.sensor] == nil, skipped.insert(r.sensor).inserted { out.leftOut += 1 }
                        continue
                    }
                    bySensor[r.sensor] = (PlotSeries(), nil)
                    order.append(r.sensor)
                    mine.insert(r.sensor)
                }
                bySensor[r.sensor]!.series.append(time: r.sourceTime.millisecondsSinceEpoch, value: r.value.doubleValue, good: r.quality == .good)
                if source == .wal { bySensor[r.sensor]!.series.fresh += 1 }
                if let u = r.unit { bySensor[r.sensor]!.unit = u }
            }
            out.damage += cursor.damage
        }
        let spans = alertsPath.map { PlotInputs.alertSpans(path: $0) } ?? [:]
        let lo = from?.millisecondsSinceEpoch ?? .min, hi = to?.millisecondsSinceEpoch ?? .max
        let marks = PlotInputs.quarantineMarks(directory: directory, patterns: patterns).mapValues { $0.filter { $0.time >= lo && $0.time < hi } }
            .filter { !$0.value.isEmpty }
        // Sensors with only quarantined readings still get a panel: that is often the story.
        for sensor in marks.keys.sorted() where bySensor[sensor] == nil && order.count < maxPanels {
            bySensor[sensor] = (PlotSeries(), nil)
            order.append(sensor)
        }
        out.panels = order.map { s in
            PlotPanel(sensor: s, unit: bySensor[s]!.unit, series: bySensor[s]!.series, alerts: spans[s] ?? [], quarantined: marks[s] ?? [])
        }
        return out
    }

    /// Firing → resolved pairs by alert id; a firing without its resolution is still open.
    static func alertSpans(path: String) -> [String: [PlotAlertSpan]] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [:] }
        var open: [String: (sensor: String, span: PlotAlertSpan)] = [:]
        var out: [String: [PlotAlertSpan]] = [:]
        for line in text.split(separator: "\n") {
            guard let e = AlertLogEntry(line: line), let sensor = e.sensor, let state = e.state else { continue }
            let id = e.alertID ?? "\(sensor)|\(e.rule ?? "")"
            let t = (e.time.flatMap(CSVImporter.parseTime))?.millisecondsSinceEpoch
            switch state {
            case "firing":
                let start = (e.startsAt.flatMap(CSVImporter.parseTime))?.millisecondsSinceEpoch ?? t
                guard let start else { continue }
                open[id] = (sensor, PlotAlertSpan(start: start, end: nil, label: e.rule ?? e.detector ?? "alert", severity: e.severity ?? "warning"))
            case "resolved":
                guard var o = open.removeValue(forKey: id), let t else { continue }
                o.span.end = t
                out[o.sensor, default: []].append(o.span)
            default:
                continue
            }
        }
        for (_, o) in open { out[o.sensor, default: []].append(o.span) }
        return out
    }

    /// Quarantine lines of matching sensors, newest file last (`quarantine.jsonl.N` … `.1`,
    /// then the live file), each at the source time and value its payload item gives when it
    /// decodes, else at its receive time without a value.
    static func quarantineMarks(directory: DataDirectory, patterns: [SensorPattern]) -> [String: [PlotQuarantineMark]] {
        let live = directory.quarantinePath + "/quarantine.jsonl"
        var files: [String] = []
        var n = 1
        while FileManager.default.fileExists(atPath: "\(live).\(n)") { files.insert("\(live).\(n)", at: 0); n += 1 }
        files.append(live)
        var out: [String: [PlotQuarantineMark]] = [:]
        let decoder = JSONDecoder()
        for file in files {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { continue }
            for line in text.split(separator: "\n") {
                guard let e = try? decoder.decode(QuarantineEntry.self, from: Data(line.utf8)), let sensor = e.sensor,
                      patterns.contains(where: { $0.matches(sensor) }) else { continue }
                var time = CSVImporter.parseTime(e.time)?.millisecondsSinceEpoch
                var value: Double?
                // No config here: `auto` tells JSON from line protocol as the daemon's would.
                var payloadDecoder = MessageDecoder(limits: DecodeLimits())
                if let payload = e.payload, !e.truncated,
                   case .items(let items) = payloadDecoder.decode(topic: e.topic, payload: Array(payload.utf8), format: PayloadFormat(.auto), receiveTime: Timestamp(millisecondsSinceEpoch: time ?? 0)),
                   e.item < items.count, case .success(let item) = items[e.item] {
                    if case .number(let v) = item.value { value = v.doubleValue }
                    if let t = item.sourceTime { time = t.millisecondsSinceEpoch }
                }
                guard let time else { continue }
                out[sensor, default: []].append(PlotQuarantineMark(time: time, value: value, reason: e.reason))
            }
        }
        return out
    }
}

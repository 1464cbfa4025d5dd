import TOMLKit
import TinsenseAlerts
import TinsenseDetect

extension Config {
    /// `[detection]`, `[[alert_rule]]` and `[[inhibit]]`: what is scored and when it alerts.
    package struct Detection: Sendable {
        package var enabled = true
        /// Detector names for sensors that name none (`default` = the default combination).
        package var detectors = ["default"]
        /// Parameter overrides for every sensor, the keys of `tinsense score --set`.
        package var params: [String: String] = [:]
        /// Alert rules; when the config names none, one rule `anomaly` with these defaults.
        package var rules: [AlertRule] = [Detection.defaultRule]
        package var inhibits: [InhibitRule] = []

        package static let defaultRule = AlertRule(
            name: "anomaly", threshold: 0.5, resolveThreshold: 0.4, pendingForMilliseconds: 5_000,
            keepFiringForMilliseconds: 60_000, immediateThreshold: 0.7, severity: .warning
        )
        package init() {}
    }

    /// Detection settings of one `[[sensor]]` entry (`SensorEntry.detection`).
    package struct SensorDetection: Sendable, Equatable {
        /// nil: this sensor is not scored (`detectors = []`, or detection disabled).
        package var spec: DetectorSpec?
        /// Alert rules its scores feed.
        package var rules: [String]
        package init(spec: DetectorSpec?, rules: [String]) {
            self.spec = spec
            self.rules = rules
        }
    }

    /// `[alerts]`: where alert transitions go.
    package struct Alerts: Sendable {
        /// The JSONL alert log; nil = `<data_dir>/alerts.jsonl`.
        package var file: String?
        package var maxMB = 64
        package var keep = 5
        package var staleSeverity = AlertSeverity.warning
        /// MQTT topic template for republishing transitions at QoS 1; nil = off.
        package var mqttTopic: AlertTopicTemplate?
        package init() {}
    }
}

extension TableReader {
    func readDetection(_ root: TOMLTable, into c: inout Config) {
        if let t = section(root, "detection") {
            var s = Section(reader: self, table: t, path: "detection")
            c.detection.enabled = s.bool("enabled", default: true)
            c.detection.detectors = s.strings("detectors", default: c.detection.detectors)
            c.detection.params = s.stringMap("params")
            s.finish()
            do {
                _ = try DetectorSpec(names: c.detection.detectors, overrides: c.detection.params)
            } catch {
                issue("detection", error.description)
            }
        }
        if let v = root["alert_rule"] {
            guard let array = v.array else {
                issue("alert_rule", "must be an array of tables ([[alert_rule]])")
                return
            }
            var rules: [AlertRule] = []
            for i in 0..<array.count {
                let path = "alert_rule[\(i)]"
                guard let t = array[i].table else { issue(path, "must be a table"); continue }
                var s = Section(reader: self, table: t, path: path)
                let d = Config.Detection.defaultRule
                let name = s.string("name", default: "", nonEmpty: true)
                if name == AlertRule.staleRuleName { issue(path + ".name", "\"stale\" is reserved for stale-sensor alerts") }
                if rules.contains(where: { $0.name == name }) { issue(path + ".name", "rule \"\(name)\" is defined twice") }
                let threshold = s.double("threshold", default: d.threshold, min: 0, max: 1)
                if threshold <= 0 || threshold > 1 { issue(path + ".threshold", "must be in (0, 1]") }
                let resolve = s.double("resolve_threshold", default: threshold * 0.8, min: 0, max: 1)
                if resolve > threshold { issue(path + ".resolve_threshold", "must not exceed threshold (\(threshold))") }
                let pending = s.double("pending_for_s", default: Double(d.pendingForMilliseconds) / 1000, min: 0, max: TableReader.yearSeconds)
                let keep = s.double("keep_firing_for_s", default: Double(d.keepFiringForMilliseconds) / 1000, min: 0, max: TableReader.yearSeconds)
                let immediate = s.double("immediate_threshold", default: -1, min: -1, max: 1)
                if immediate != -1 && (immediate < threshold || immediate > 1) {
                    issue(path + ".immediate_threshold", "must be between threshold (\(threshold)) and 1")
                }
                let severity = s.choice("severity", ["info", "warning", "critical"], default: "warning")
                s.finish()
                rules.append(AlertRule(
                    name: name, threshold: threshold, resolveThreshold: resolve,
                    pendingForMilliseconds: Int64(pending * 1000), keepFiringForMilliseconds: Int64(keep * 1000),
                    immediateThreshold: immediate == -1 ? nil : immediate,
                    severity: AlertSeverity(name: severity) ?? .warning
                ))
            }
            c.detection.rules = rules
        }
        if let t = section(root, "alerts") {
            var s = Section(reader: self, table: t, path: "alerts")
            let file = s.string("file", default: "")
            c.alerts.file = file.isEmpty ? nil : file
            c.alerts.maxMB = s.int("max_mb", default: c.alerts.maxMB, min: 1, max: 1_000_000)
            c.alerts.keep = s.int("keep", default: c.alerts.keep, min: 0, max: 1000)
            let stale = s.choice("stale_severity", ["info", "warning", "critical"], default: "warning")
            c.alerts.staleSeverity = AlertSeverity(name: stale) ?? .warning
            let topic = s.string("mqtt_topic", default: "")
            if !topic.isEmpty {
                do {
                    c.alerts.mqttTopic = try AlertTopicTemplate(topic)
                } catch {
                    issue("alerts.mqtt_topic", "\(error)")
                }
            }
            s.finish()
        }
    }

    func readInhibits(_ root: TOMLTable, sensorIDs: Set<String>, rules: [AlertRule]) -> [InhibitRule] {
        guard let v = root["inhibit"] else { return [] }
        guard let array = v.array else {
            issue("inhibit", "must be an array of tables ([[inhibit]])")
            return []
        }
        var out: [InhibitRule] = []
        for i in 0..<array.count {
            let path = "inhibit[\(i)]"
            guard let t = array[i].table else { issue(path, "must be a table"); continue }
            var s = Section(reader: self, table: t, path: path)
            let name = s.string("name", default: "", nonEmpty: true)
            let source = s.string("source", default: "", nonEmpty: true)
            let when = s.choice("when", ["value_below", "value_above", "stale", "firing"], default: "value_below")
            var condition = InhibitRule.Condition.stale
            switch when {
            case "value_below", "value_above":
                guard let v = s.value("value"), let x = Section.number(v) else {
                    issue(path + ".value", "a number is required with when = \"\(when)\"")
                    break
                }
                if let problem = NumericBounds.problem(x, min: -NumericBounds.ceiling, max: NumericBounds.ceiling) {
                    issue(path + ".value", problem)
                    break
                }
                condition = when == "value_below" ? .valueBelow(x) : .valueAbove(x)
            case "firing":
                let rule = s.string("rule", default: "anomaly")
                if !rules.contains(where: { $0.name == rule }) && rule != AlertRule.staleRuleName {
                    issue(path + ".rule", "no [[alert_rule]] named \"\(rule)\"")
                }
                condition = .firing(rule: rule)
            default:
                condition = .stale
            }
            let targets = s.strings("targets", default: [])
            if targets.isEmpty { issue(path + ".targets", "must name at least one sensor id or pattern") }
            let targetRules = s.strings("rules", default: [])
            let release = s.double("release_after_s", default: 0, min: 0, max: TableReader.yearSeconds)
            s.finish()
            out.append(InhibitRule(
                name: name, source: source, condition: condition, targets: targets,
                targetRules: targetRules, releaseAfterMilliseconds: Int64(release * 1000)
            ))
        }
        return out
    }

    /// The per-sensor keys `detectors`, `params`, `alert_rules`.
    func readSensorDetection(_ s: inout Section, path: String, detection: Config.Detection) -> Config.SensorDetection {
        let names = s.value("detectors") != nil ? s.strings("detectors", default: []) : detection.detectors
        var params = detection.params
        for (k, v) in s.stringMap("params") { params[k] = v }
        let ruleNames = s.value("alert_rules") != nil ? s.strings("alert_rules", default: []) : detection.rules.map(\.name)
        for r in ruleNames where !detection.rules.contains(where: { $0.name == r }) {
            issue(path + ".alert_rules", "no [[alert_rule]] named \"\(r)\"")
        }
        guard detection.enabled, !names.isEmpty else { return Config.SensorDetection(spec: nil, rules: ruleNames) }
        do {
            return Config.SensorDetection(spec: try DetectorSpec(names: names, overrides: params), rules: ruleNames)
        } catch {
            issue(path + (s.table["params"] != nil ? ".params" : ".detectors"), error.description)
            return Config.SensorDetection(spec: nil, rules: ruleNames)
        }
    }
}

extension Section {
    /// An inline table of string or number values (`{ "mad.window" = "10m", "spike.span" = 20 }`).
    mutating func stringMap(_ key: String) -> [String: String] {
        guard let v = value(key) else { return [:] }
        guard let t = v.table else {
            reader.issue("\(path).\(key)", "must be a table of \"name\" = value")
            return [:]
        }
        var out: [String: String] = [:]
        for k in t.keys {
            guard let item = t[k] else { continue }
            if let s = item.string { out[k] = s }
            else if let i = item.int { out[k] = String(i) }
            else if let d = item.double { out[k] = String(d) }
            else if let b = item.bool { out[k] = String(b) }
            else { reader.issue("\(path).\(key).\(k)", "must be a string or a number") }
        }
        return out
    }
}

#if canImport(Glibc)
import Glibc
#endif
import Foundation
import TOMLKit
import TinsenseCore
import TinsenseSystem
import TinsenseValidate

/// Reads and checks a config file. Every problem is collected (with file, line and key
/// path) so an operator fixes them in one pass; unknown keys are errors, because a typo in a
/// key would otherwise silently fall back to a default.
package enum ConfigLoader {
    package static func load(path: String) throws(ConfigError) -> Config {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError(issues: [ConfigIssue(file: path, line: nil, keyPath: "", message: "cannot read the file (\(error.localizedDescription))")])
        }
        return try parse(text, file: path)
    }

    package static func parse(_ text: String, file: String) throws(ConfigError) -> Config {
        switch TOMLAbortGuard.firstProblem(in: text) {
        case (let line, .keylessHeader(let found))?:
            throw ConfigError(issues: [ConfigIssue(file: file, line: line, keyPath: "", message: "TOML syntax: a table header needs a key after '[', found \(found)")])
        case (let line, .braceInArray)?:
            throw ConfigError(issues: [ConfigIssue(file: file, line: line, keyPath: "", message: "TOML syntax: '}' where an array element or its closing ']' must be")])
        case nil:
            break
        }
        let index = TOMLLineIndex(source: text)
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let e as TOMLParseError {
            throw ConfigError(issues: [ConfigIssue(file: file, line: e.source.begin.line, keyPath: "", message: "TOML syntax: \(e.description)")])
        } catch {
            throw ConfigError(issues: [ConfigIssue(file: file, line: nil, keyPath: "", message: "TOML syntax: \(error)")])
        }
        let reader = TableReader(file: file, index: index)
        let config = reader.read(table)
        if !reader.issues.isEmpty {
            throw ConfigError(issues: reader.issues.sorted { ($0.line ?? 0, $0.keyPath) < ($1.line ?? 0, $1.keyPath) })
        }
        return config
    }
}

/// Walks the TOML tree section by section, recording issues instead of stopping.
final class TableReader {
    let file: String
    let index: TOMLLineIndex
    var issues: [ConfigIssue] = []

    init(file: String, index: TOMLLineIndex) {
        self.file = file
        self.index = index
    }

    func issue(_ path: String, _ message: String) {
        issues.append(ConfigIssue(file: file, line: index.line(of: path), keyPath: path, message: message))
    }

    func read(_ root: TOMLTable) -> Config {
        var c = Config()
        let known: Set<String> = ["daemon", "mqtt", "storage", "validation", "sensor", "detection", "alert_rule", "alerts", "inhibit", "metrics", "record", "forward"]
        for key in root.keys where !known.contains(key) {
            issue(key, "unknown section (expected one of: \(known.sorted().joined(separator: ", ")))")
        }
        if let t = section(root, "daemon") {
            var s = Section(reader: self, table: t, path: "daemon")
            c.daemon.dataDirectory = s.string("data_dir", default: c.daemon.dataDirectory, nonEmpty: true)
            c.daemon.logLevel = s.choice("log_level", ["trace", "debug", "info", "notice", "warning", "error", "critical"], default: c.daemon.logLevel)
            c.daemon.statsIntervalSeconds = s.int("stats_interval_s", default: c.daemon.statsIntervalSeconds, min: 1, max: 86_400)
            c.daemon.stopTimeoutSeconds = s.int("stop_timeout_s", default: c.daemon.stopTimeoutSeconds, min: 1, max: 3600)
            s.finish()
        }
        if let t = section(root, "mqtt") {
            var s = Section(reader: self, table: t, path: "mqtt")
            c.mqtt.broker = s.string("broker", default: c.mqtt.broker, nonEmpty: true)
            if let problem = BrokerAddress.problem(c.mqtt.broker) { issue("mqtt.broker", problem) }
            c.mqtt.clientID = s.string("client_id", default: c.mqtt.clientID, nonEmpty: true)
            c.mqtt.qos = s.int("qos", default: c.mqtt.qos, min: 0, max: 1)
            c.mqtt.cleanSession = s.bool("clean_session", default: c.mqtt.cleanSession)
            c.mqtt.keepaliveSeconds = s.int("keepalive_s", default: c.mqtt.keepaliveSeconds, min: 5, max: 65_535)
            c.mqtt.subscribe = s.strings("subscribe", default: [])
            for (i, filter) in c.mqtt.subscribe.enumerated() {
                if let problem = BrokerAddress.filterProblem(filter) { issue("mqtt.subscribe[\(i)]", problem) }
            }
            let user = s.string("username", default: "")
            c.mqtt.username = user.isEmpty ? nil : user
            let pw = s.string("password_file", default: "")
            if !pw.isEmpty {
                c.mqtt.passwordFile = pw
                checkSecret(pw, key: "mqtt.password_file")
            }
            let credential = s.string("password_credential", default: "")
            if !credential.isEmpty {
                c.mqtt.passwordCredential = credential
                if credential.contains("/") || credential == "." || credential == ".." {
                    issue("mqtt.password_credential", "\"\(credential)\" must be a credential name (the file is $CREDENTIALS_DIRECTORY/NAME), not a path")
                }
                if !pw.isEmpty { issue("mqtt.password_credential", "set password_file or password_credential, not both") }
            }
            if c.mqtt.username == nil && (!pw.isEmpty || !credential.isEmpty) {
                issue(pw.isEmpty ? "mqtt.password_credential" : "mqtt.password_file", "a password needs mqtt.username")
            }
            c.mqtt.tlsCAFile = readableFile(&s, "tls_ca_file")
            c.mqtt.tlsCertFile = readableFile(&s, "tls_cert_file")
            c.mqtt.tlsKeyFile = readableFile(&s, "tls_key_file")
            if let key = c.mqtt.tlsKeyFile { checkSecret(key, key: "mqtt.tls_key_file") }
            if (c.mqtt.tlsCertFile == nil) != (c.mqtt.tlsKeyFile == nil) {
                issue(c.mqtt.tlsCertFile == nil ? "mqtt.tls_key_file" : "mqtt.tls_cert_file", "a client certificate needs both tls_cert_file and tls_key_file")
            }
            let tlsKey = ["tls_ca_file", "tls_cert_file", "tls_key_file"].first { !(t[$0]?.string ?? "").isEmpty }
            if let tlsKey, !c.mqtt.broker.hasPrefix("mqtts://") {
                issue("mqtt.\(tlsKey)", "TLS files are set but mqtt.broker is \"\(c.mqtt.broker)\"; use mqtts://HOST:PORT, or the connection would be plain TCP")
            }
            c.mqtt.refusalsBeforeExit = s.int("refusals_before_exit", default: c.mqtt.refusalsBeforeExit, min: 0, max: 1_000_000)
            let status = s.string("status_topic", default: "")
            c.mqtt.statusTopic = status.isEmpty ? nil : status
            c.mqtt.reconnectMinSeconds = s.int("reconnect_min_s", default: c.mqtt.reconnectMinSeconds, min: 1, max: 3600)
            c.mqtt.reconnectMaxSeconds = s.int("reconnect_max_s", default: c.mqtt.reconnectMaxSeconds, min: 1, max: 3600)
            if c.mqtt.reconnectMaxSeconds < c.mqtt.reconnectMinSeconds {
                issue("mqtt.reconnect_max_s", "must be at least reconnect_min_s (\(c.mqtt.reconnectMinSeconds))")
            }
            c.mqtt.queueCapacity = s.int("queue_capacity", default: c.mqtt.queueCapacity, min: 16, max: 1_000_000)
            c.mqtt.queueMaxMB = s.int("queue_max_mb", default: c.mqtt.queueMaxMB, min: 1, max: 65_536)
            readProtocolAndSharing(&s, into: &c)
            s.finish()
        }
        if let t = section(root, "storage") {
            var s = Section(reader: self, table: t, path: "storage")
            c.storage.fsyncIntervalMs = s.int("fsync_interval_ms", default: c.storage.fsyncIntervalMs, min: 1, max: 60_000)
            c.storage.walFileMaxMB = s.int("wal_file_max_mb", default: c.storage.walFileMaxMB, min: 1, max: 4096)
            c.storage.sealIntervalSeconds = s.int("seal_interval_s", default: c.storage.sealIntervalSeconds, min: 1, max: 604_800)
            c.storage.headMaxSamples = s.int("head_max_samples", default: c.storage.headMaxSamples, min: 1000, max: 100_000_000)
            c.storage.outOfOrderToleranceSeconds = s.int("out_of_order_tolerance_s", default: c.storage.outOfOrderToleranceSeconds, min: 0, max: TableReader.centurySeconds)
            c.storage.retentionDays = s.int("retention_days", default: c.storage.retentionDays, min: 0, max: 36_600)
            c.storage.retentionMaxGB = s.double("retention_max_gb", default: c.storage.retentionMaxGB, min: 0, max: 1e6)
            c.storage.quarantineMaxMB = s.int("quarantine_max_mb", default: c.storage.quarantineMaxMB, min: 1, max: 65_536)
            c.storage.quarantineKeep = s.int("quarantine_keep", default: c.storage.quarantineKeep, min: 1, max: 1000)
            s.finish()
        }
        if let t = section(root, "validation") {
            var s = Section(reader: self, table: t, path: "validation")
            c.validation.maxPayloadBytes = s.int("max_payload_bytes", default: c.validation.maxPayloadBytes, min: 16, max: 16_000_000)
            c.validation.maxBatch = s.int("max_batch", default: c.validation.maxBatch, min: 1, max: 1_000_000)
            c.validation.maxFutureSkewSeconds = s.int("max_future_skew_s", default: c.validation.maxFutureSkewSeconds, min: 0, max: TableReader.centurySeconds)
            c.validation.maxPastAgeSeconds = s.int("max_past_age_s", default: c.validation.maxPastAgeSeconds, min: 0, max: TableReader.centurySeconds)
            c.validation.quarantinePayloadBytes = s.int("quarantine_payload_bytes", default: c.validation.quarantinePayloadBytes, min: 0, max: 1_048_576)
            c.validation.maxSeries = s.int("max_series", default: c.validation.maxSeries, min: 1, max: 10_000_000)
            c.validation.maxUnitsPerSeries = s.int("max_units_per_series", default: c.validation.maxUnitsPerSeries, min: 1, max: 256)
            s.finish()
        }
        readMetrics(root, into: &c)
        readDetection(root, into: &c)
        readRecord(root, into: &c)
        readForward(root, into: &c)
        c.sensors = readSensors(root, detection: c.detection)
        if c.sensors.isEmpty { issue("sensor", "no [[sensor]] entries: every topic would be quarantined as unknown_sensor") }
        c.detection.inhibits = readInhibits(root, sensorIDs: [], rules: c.detection.rules)
        return c
    }

    /// A file path key ("" = unset) whose file must be readable now.
    func readableFile(_ s: inout Section, _ key: String) -> String? {
        let path = s.string(key, default: "")
        if path.isEmpty { return nil }
        if access(path, R_OK) != 0 { issue("\(s.path).\(key)", "cannot read \(path)") }
        return path
    }

    /// A secret must be readable by us and by nobody but its owner (`FilePermissions`).
    func checkSecret(_ path: String, key: String) {
        guard access(path, R_OK) == 0 else {
            issue(key, "cannot read \(path)")
            return
        }
        if let mode = try? FilePermissions.mode(of: path), let problem = FilePermissions.secretProblem(mode: mode) {
            issue(key, "\(path) \(problem)")
        }
    }

    func section(_ root: TOMLTable, _ name: String) -> TOMLTable? {
        guard let v = root[name] else { return nil }
        guard let t = v.table else {
            issue(name, "must be a table ([\(name)])")
            return nil
        }
        return t
    }

    func readSensors(_ root: TOMLTable, detection: Config.Detection) -> [Config.SensorEntry] {
        guard let v = root["sensor"] else { return [] }
        guard let array = v.array else {
            issue("sensor", "must be an array of tables ([[sensor]])")
            return []
        }
        var entries: [Config.SensorEntry] = []
        var seenPatterns: [String: [(index: Int, metric: MetricFilter?)]] = [:]
        for i in 0..<array.count {
            let path = "sensor[\(i)]"
            guard let t = array[i].table else {
                issue(path, "must be a table")
                continue
            }
            var s = Section(reader: self, table: t, path: path)
            let topicText = s.string("topic", default: "", nonEmpty: true)
            let pattern: TopicPattern
            do {
                pattern = try TopicPattern(topicText)
            } catch {
                if !topicText.isEmpty { issue(path + ".topic", error.description) }
                // The entry is unusable; its other keys are not "unknown", so don't finish().
                continue
            }
            var spec = SensorSpec(topic: pattern)
            let id = s.string("id", default: "")
            spec.idTemplate = id.isEmpty ? nil : id
            readPayloadKeys(&s, path: path, into: &spec)
            // Entries on one pattern are told apart by their metric filter; one without a
            // filter takes every item, so nothing after it on that pattern ever applies.
            if let earlier = seenPatterns[topicText, default: []].first(where: { $0.metric == nil || $0.metric == spec.metric }) {
                issue(path + ".topic", "same pattern as sensor[\(earlier.index)]\(earlier.metric.map { " and metric \"\($0)\"" } ?? ""); the first match wins, so this entry would never apply")
            }
            seenPatterns[topicText, default: []].append((i, spec.metric))
            let unknown = spec.unknownTemplateNames
            if !unknown.isEmpty {
                issue(path + ".id", "{\(unknown.joined(separator: "}, {"))} is not captured by the topic pattern (captures: \(pattern.captureNames.map { "{\($0)}" }.joined(separator: ", ")), or {topic})")
            }
            let unit = s.string("unit", default: "")
            spec.unit = unit.isEmpty ? nil : unit
            spec.range = s.range("range")
            spec.plausible = s.range("plausible")
            if let r = spec.range, let p = spec.plausible, !(r.contains(p.lowerBound) && r.contains(p.upperBound)) {
                issue(path + ".plausible", "[\(p.lowerBound), \(p.upperBound)] must lie inside range [\(r.lowerBound), \(r.upperBound)]")
            }
            let rate = s.double("max_rate", default: 0, min: 0)
            spec.maxRatePerSecond = rate > 0 ? rate : nil
            let action = s.choice("rate_action", ["downgrade", "quarantine"], default: "downgrade")
            spec.rateAction = SensorSpec.RateAction(rawValue: action) ?? .downgrade
            let period = s.double("period_s", default: 1, min: 0.001, max: TableReader.yearSeconds)
            spec.periodMs = Int64(period * 1000)
            let stale = s.double("stale_after_s", default: 5 * period, min: 0, max: 10 * TableReader.yearSeconds)
            spec.staleAfterMs = stale > 0 ? Int64(stale * 1000) : nil
            if let p = spec.periodMs, let st = spec.staleAfterMs, st < p {
                issue(path + ".stale_after_s", "\(stale) s is shorter than period_s (\(period) s): the sensor would be stale between every two readings")
            }
            let sensorDetection = readSensorDetection(&s, path: path, detection: detection)
            s.finish()
            entries.append(Config.SensorEntry(spec: spec, detection: sensorDetection))
        }
        checkFormatShadowing(entries)
        return entries
    }

    /// 100 years in seconds: the top of keys that are ages or tolerances.
    static let centurySeconds = 3_162_240_000
    /// 366 days in seconds: the top of cadences and alert durations.
    static let yearSeconds = 31_622_400.0

    static func bracesUnbalanced(_ text: String) -> Bool {
        var open = false
        for c in text {
            if c == "{" { if open { return true }; open = true }
            if c == "}" { if !open { return true }; open = false }
        }
        return open
    }
}

/// Typed access to one table's keys with defaults; marks keys read so leftovers are reported.
struct Section {
    let reader: TableReader
    let table: TOMLTable
    let path: String
    var consumed = Set<String>()

    init(reader: TableReader, table: TOMLTable, path: String) {
        self.reader = reader
        self.table = table
        self.path = path
    }

    mutating func value(_ key: String) -> (any TOMLValueConvertible)? {
        consumed.insert(key)
        return table[key]
    }

    mutating func string(_ key: String, default d: String, nonEmpty: Bool = false) -> String {
        guard let v = value(key) else {
            if nonEmpty && d.isEmpty { reader.issue("\(path).\(key)", "is required") }
            return d
        }
        guard let s = v.string else {
            reader.issue("\(path).\(key)", "must be a string, found \(v.type)")
            return d
        }
        if nonEmpty && s.isEmpty { reader.issue("\(path).\(key)", "must not be empty") }
        return s
    }

    mutating func strings(_ key: String, default d: [String]) -> [String] {
        guard let v = value(key) else { return d }
        guard let a = v.array else {
            reader.issue("\(path).\(key)", "must be an array of strings, found \(v.type)")
            return d
        }
        var out: [String] = []
        for i in 0..<a.count {
            if let s = a[i].string { out.append(s) } else { reader.issue("\(path).\(key)[\(i)]", "must be a string") }
        }
        return out
    }

    mutating func choice(_ key: String, _ options: [String], default d: String) -> String {
        let s = string(key, default: d)
        if !options.contains(s) {
            reader.issue("\(path).\(key)", "\"\(s)\" is not one of: \(options.joined(separator: ", "))")
            return d
        }
        return s
    }

    mutating func bool(_ key: String, default d: Bool) -> Bool {
        guard let v = value(key) else { return d }
        guard let b = v.bool else {
            reader.issue("\(path).\(key)", "must be true or false, found \(v.type)")
            return d
        }
        return b
    }

    mutating func int(_ key: String, default d: Int, min lo: Int? = nil, max hi: Int? = nil) -> Int {
        guard let v = value(key) else { return d }
        guard let n = v.int else {
            reader.issue("\(path).\(key)", "must be an integer, found \(v.type)")
            return d
        }
        if let problem = NumericBounds.problem(n, min: lo, max: hi) { reader.issue("\(path).\(key)", problem); return d }
        return n
    }

    /// A finite number in `lo...hi` (`hi` nil: `NumericBounds.ceiling`).
    mutating func double(_ key: String, default d: Double, min lo: Double?, max hi: Double? = nil) -> Double {
        guard let v = value(key) else { return d }
        guard let x = Section.number(v) else {
            reader.issue("\(path).\(key)", "must be a number, found \(v.type)")
            return d
        }
        if let problem = NumericBounds.problem(x, min: lo, max: hi) { reader.issue("\(path).\(key)", problem); return d }
        return x
    }

    mutating func range(_ key: String) -> ClosedRange<Double>? {
        guard let v = value(key) else { return nil }
        guard let a = v.array, a.count == 2, let lo = Section.number(a[0]), let hi = Section.number(a[1]) else {
            reader.issue("\(path).\(key)", "must be [low, high] (two numbers)")
            return nil
        }
        guard lo.isFinite, hi.isFinite, lo < hi else {
            reader.issue("\(path).\(key)", "low bound \(lo) must be below high bound \(hi)")
            return nil
        }
        return lo...hi
    }

    static func number(_ v: any TOMLValueConvertible) -> Double? {
        if let d = v.double { return d }
        if let i = v.int { return Double(i) }
        return nil
    }

    /// Reports keys present in the table but never read.
    func finish() {
        for key in table.keys where !consumed.contains(key) {
            reader.issue("\(path).\(key)", "unknown key")
        }
    }
}

extension ConfigLoader {
    /// Why a broker URL given on the command line is unusable, or nil.
    package static func brokerProblem(_ url: String) -> String? { BrokerAddress.problem(url) }
}

import Foundation
import Testing
import TinsenseConfig

/// Issue 9, finding 5: `stale_after_s = nan`, `period_s = inf` or `1e300` trapped in
/// `Int64(...)` (`Illegal instruction`); huge integers overflowed `* 1000`. Every numeric key,
/// every hostile value: an issue at FILE:LINE: KEY, never a trap.
@Suite("every numeric config key is checked before conversion")
struct NumericKeyTests {
    /// Where a key lives: its table header lines (before the key) and its key path prefix.
    struct Key: CustomStringConvertible {
        var table: [String]
        var path: String
        var name: String
        var integer: Bool
        /// 0 is not a valid value.
        var zeroInvalid: Bool
        /// -1 is not a valid value.
        var minusOneInvalid = true
        var description: String { "\(path).\(name)" }
    }

    static let sensor = ["[[sensor]]", "topic = \"plant/feeder/speed\""]
    static let rule = ["[[alert_rule]]", "name = \"anomaly\""]
    static let inhibit = ["[[inhibit]]", "name = \"i\"", "source = \"feeder\"", "targets = [\"x\"]", "when = \"value_below\""]

    static let keys: [Key] = [
        Key(table: ["[daemon]"], path: "daemon", name: "stats_interval_s", integer: true, zeroInvalid: true),
        Key(table: ["[daemon]"], path: "daemon", name: "stop_timeout_s", integer: true, zeroInvalid: true),
        Key(table: ["[mqtt]"], path: "mqtt", name: "qos", integer: true, zeroInvalid: false),
        Key(table: ["[mqtt]"], path: "mqtt", name: "keepalive_s", integer: true, zeroInvalid: true),
        Key(table: ["[mqtt]"], path: "mqtt", name: "reconnect_min_s", integer: true, zeroInvalid: true),
        Key(table: ["[mqtt]"], path: "mqtt", name: "reconnect_max_s", integer: true, zeroInvalid: true),
        Key(table: ["[mqtt]"], path: "mqtt", name: "queue_capacity", integer: true, zeroInvalid: true),
        Key(table: ["[storage]"], path: "storage", name: "fsync_interval_ms", integer: true, zeroInvalid: true),
        Key(table: ["[storage]"], path: "storage", name: "wal_file_max_mb", integer: true, zeroInvalid: true),
        Key(table: ["[storage]"], path: "storage", name: "seal_interval_s", integer: true, zeroInvalid: true),
        Key(table: ["[storage]"], path: "storage", name: "head_max_samples", integer: true, zeroInvalid: true),
        Key(table: ["[storage]"], path: "storage", name: "out_of_order_tolerance_s", integer: true, zeroInvalid: false),
        Key(table: ["[storage]"], path: "storage", name: "retention_days", integer: true, zeroInvalid: false),
        Key(table: ["[storage]"], path: "storage", name: "retention_max_gb", integer: false, zeroInvalid: false),
        Key(table: ["[record]"], path: "record", name: "retention_hours", integer: false, zeroInvalid: false),
        Key(table: ["[record]"], path: "record", name: "max_gb", integer: false, zeroInvalid: false),
        Key(table: ["[validation]"], path: "validation", name: "max_payload_bytes", integer: true, zeroInvalid: true),
        Key(table: ["[validation]"], path: "validation", name: "max_batch", integer: true, zeroInvalid: true),
        Key(table: ["[validation]"], path: "validation", name: "max_future_skew_s", integer: true, zeroInvalid: false),
        Key(table: ["[validation]"], path: "validation", name: "max_past_age_s", integer: true, zeroInvalid: false),
        Key(table: ["[validation]"], path: "validation", name: "quarantine_payload_bytes", integer: true, zeroInvalid: false),
        Key(table: sensor, path: "sensor[0]", name: "max_rate", integer: false, zeroInvalid: false),
        Key(table: sensor, path: "sensor[0]", name: "period_s", integer: false, zeroInvalid: true),
        Key(table: sensor, path: "sensor[0]", name: "stale_after_s", integer: false, zeroInvalid: false),
        Key(table: rule, path: "alert_rule[0]", name: "threshold", integer: false, zeroInvalid: true),
        Key(table: rule, path: "alert_rule[0]", name: "resolve_threshold", integer: false, zeroInvalid: false),
        Key(table: rule, path: "alert_rule[0]", name: "pending_for_s", integer: false, zeroInvalid: false),
        Key(table: rule, path: "alert_rule[0]", name: "keep_firing_for_s", integer: false, zeroInvalid: false),
        Key(table: rule, path: "alert_rule[0]", name: "immediate_threshold", integer: false, zeroInvalid: true, minusOneInvalid: false),
        Key(table: ["[alerts]"], path: "alerts", name: "max_mb", integer: true, zeroInvalid: true),
        Key(table: ["[alerts]"], path: "alerts", name: "keep", integer: true, zeroInvalid: false),
        Key(table: inhibit, path: "inhibit[0]", name: "value", integer: false, zeroInvalid: false, minusOneInvalid: false),
        Key(table: inhibit, path: "inhibit[0]", name: "release_after_s", integer: false, zeroInvalid: false),
    ]

    static func values(for key: Key) -> [String] {
        var v = ["nan", "inf", "-inf", "1e300", "-1e300"]
        if key.minusOneInvalid { v.append("-1") }
        if key.zeroInvalid { v.append("0") }
        if key.integer { v += ["9223372036854775807", "1.5"] }
        return v
    }

    static let cases: [(Key, String)] = keys.flatMap { k in values(for: k).map { (k, $0) } }

    @Test("a hostile value is an issue at FILE:LINE: KEY", arguments: cases)
    func hostileValue(key: Key, value: String) {
        // A sensor so the file is otherwise valid; the tested table (maybe another sensor) last.
        var lines = ["[[sensor]]", "topic = \"plant/other\""]
        lines += key.table
        lines.append("\(key.name) = \(value)")
        let keyLine = lines.count
        let path = key.path == "sensor[0]" ? "sensor[1]" : key.path
        let issues: [ConfigIssue]
        do {
            _ = try ConfigLoader.parse(lines.joined(separator: "\n") + "\n", file: "plant.toml")
            issues = []
        } catch {
            issues = error.issues
        }
        let hit = issues.first { $0.keyPath == "\(path).\(key.name)" }
        #expect(hit?.line == keyLine, "\(key) = \(value): \(issues.map(\.description))")
        #expect(hit?.description.hasPrefix("plant.toml:\(keyLine): \(path).\(key.name): ") == true)
    }

    @Test("range bounds that are not finite are issues", arguments: ["[0, nan]", "[-inf, 1]", "[nan, nan]"])
    func rangeNotFinite(value: String) {
        let text = "[[sensor]]\ntopic = \"plant/x\"\nrange = \(value)\n"
        do {
            _ = try ConfigLoader.parse(text, file: "p.toml")
            Issue.record("accepted range = \(value)")
        } catch {
            #expect(error.issues.contains { $0.keyPath == "sensor[0].range" && $0.line == 3 })
        }
    }
}

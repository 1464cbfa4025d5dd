import TinsenseConfig

/// What a reloaded config (SIGHUP) changes in the running daemon, and what waits for a restart.
///
/// Reloadable: the `[[sensor]]` entries (topics, ids, ranges, rates, staleness, detectors,
/// their alert rules), `[validation]` max_batch, max_future_skew_s, max_past_age_s,
/// max_series and max_units_per_series, `[detection]` detectors, params, `[[alert_rule]]`,
/// `[[inhibit]]` and `[alerts]` stale_severity. Everything else — data dir, broker, client id,
/// subscriptions, WAL and storage sizes, payload limits, alert log and republish settings,
/// detection on/off — is opened or sized at start: it is kept as it runs and each changed key
/// is named in a "needs a restart" line. An allowlist, so a key added later is restart-only
/// until someone makes it reloadable on purpose.
struct ReloadPlan {
    /// The config to run from now on: the loaded one's reloadable parts over the running one.
    let effective: Config
    /// TOML keys whose new value needs a restart (kept at the running value).
    let needsRestart: [String]

    init(running: Config, loaded: Config) {
        var c = running
        c.sensors = loaded.sensors
        c.validation.maxBatch = loaded.validation.maxBatch
        c.validation.maxFutureSkewSeconds = loaded.validation.maxFutureSkewSeconds
        c.validation.maxPastAgeSeconds = loaded.validation.maxPastAgeSeconds
        c.validation.maxSeries = loaded.validation.maxSeries
        c.validation.maxUnitsPerSeries = loaded.validation.maxUnitsPerSeries
        let enabled = c.detection.enabled
        c.detection = loaded.detection
        c.detection.enabled = enabled
        c.alerts.staleSeverity = loaded.alerts.staleSeverity
        effective = c
        var changed = ReloadPlan.differences(c, loaded, path: "")
        // Subscriptions derived from the sensor patterns are made at connect time.
        if c.mqtt.subscribe.isEmpty, running.subscriptions != loaded.subscriptions {
            changed.append("mqtt.subscribe (derived from the [[sensor]] topics: \(loaded.subscriptions.joined(separator: ", ")))")
        }
        needsRestart = changed
    }

    /// Leaf settings that differ, as TOML key paths; structs are walked, anything else compared
    /// by its description.
    private static func differences(_ a: Any, _ b: Any, path: String) -> [String] {
        let ma = Mirror(reflecting: a), mb = Mirror(reflecting: b)
        guard ma.displayStyle == .struct, mb.displayStyle == .struct else {
            return String(describing: a) == String(describing: b) ? [] : [path]
        }
        var out: [String] = []
        for (ca, cb) in zip(ma.children, mb.children) {
            guard let label = ca.label else { continue }
            let key = ReloadPlan.tomlName(label)
            out += differences(ca.value, cb.value, path: path.isEmpty ? key : path + "." + key)
        }
        return out
    }

    /// The TOML spelling of a Config property (`clientID` → `client_id`, `walFileMaxMB` →
    /// `wal_file_max_mb`, `stopTimeoutSeconds` → `stop_timeout_s`, `protocolVersion` → `protocol`).
    static func tomlName(_ label: String) -> String {
        if label == "dataDirectory" { return "data_dir" }
        if label == "protocolVersion" { return "protocol" }
        var out = ""
        var previousUpper = false
        for ch in label {
            if ch.isUppercase {
                if !out.isEmpty && !previousUpper { out += "_" }
                out += ch.lowercased()
                previousUpper = true
            } else {
                out.append(ch)
                previousUpper = false
            }
        }
        if out.hasSuffix("_seconds") { out = String(out.dropLast("seconds".count)) + "s" }
        return out
    }
}

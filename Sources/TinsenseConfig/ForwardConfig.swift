import TOMLKit

extension Config {
    /// `[forward]`: the output that sends every stored reading to VictoriaMetrics through a
    /// disk-backed spool (docs/FORWARDING.md).
    package struct Forward: Sendable, Equatable {
        package var enabled = false
        /// Base URL of VictoriaMetrics (single node `http://host:8428`, cluster
        /// `http://vminsert:8480/insert/0/influx`); readings are POSTed to `<url>/write`.
        package var url = "http://127.0.0.1:8428"
        /// `name=value` labels added to every sample (VictoriaMetrics' `extra_label`).
        package var labels: [String] = []
        /// CA bundle for an `https` URL; nil = the system's CA store.
        package var tlsCAFile: String?
        /// A request carries at most this many readings…
        package var batchMaxReadings = 5_000
        /// …and leaves at the latest this long after its first reading was spooled.
        package var batchMaxDelayMs = 1_000
        /// Bound of the spool on disk; beyond it new readings are stored locally only.
        package var spoolMaxMB = 1_024.0
        /// Backoff between failed requests: doubling from min to max.
        package var retryMinSeconds = 1.0
        package var retryMaxSeconds = 60.0
        /// Whole-request deadline (connect, send, answer).
        package var timeoutSeconds = 10.0
        package init() {}

        /// The spool bound in bytes.
        package var spoolMaxBytes: Int { Int(spoolMaxMB * 1_048_576) }

        /// Why `url` cannot be forwarded to, or nil. Only `http` and `https`; no query,
        /// fragment or credentials (they would end up in logs).
        package static func urlProblem(_ url: String) -> String? {
            let rest: Substring
            if url.hasPrefix("http://") { rest = url.dropFirst(7) } else if url.hasPrefix("https://") { rest = url.dropFirst(8) } else {
                return "\"\(url)\" must start with http:// or https://"
            }
            let host = rest.prefix { $0 != "/" }
            if host.isEmpty { return "\"\(url)\" has no host" }
            if url.contains(where: { $0 == "?" || $0 == "#" || $0 == "@" || $0 == " " || $0.isNewline }) {
                return "\"\(url)\" must not hold a query, a fragment, credentials or spaces (labels go in forward.labels)"
            }
            return nil
        }

        /// Why `label` is not `name=value` with a Prometheus label name, or nil.
        package static func labelProblem(_ label: String) -> String? {
            guard let eq = label.firstIndex(of: "=") else { return "\"\(label)\" must be name=value" }
            let name = label[..<eq], value = label[label.index(after: eq)...]
            let nameOK = name.first.map { $0 == "_" || ($0.isASCII && $0.isLetter) } == true
                && name.allSatisfy { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
            if !nameOK { return "\"\(name)\" is not a label name ([a-zA-Z_][a-zA-Z0-9_]*)" }
            if value.isEmpty || value.contains(where: { $0.isNewline }) { return "label \"\(name)\" needs a one-line value" }
            if ["sensor", "unit", "quality", "__name__"].contains(String(name)) { return "label \"\(name)\" is set per reading" }
            return nil
        }
    }
}

extension TableReader {
    /// `[forward]`: every key documented in config/tinsense.toml.
    func readForward(_ root: TOMLTable, into c: inout Config) {
        guard let t = section(root, "forward") else { return }
        var s = Section(reader: self, table: t, path: "forward")
        var f = c.forward
        f.enabled = s.bool("enabled", default: f.enabled)
        f.url = s.string("url", default: f.url, nonEmpty: true)
        if let problem = Config.Forward.urlProblem(f.url) { issue("forward.url", problem) }
        f.labels = s.strings("labels", default: f.labels)
        for (i, label) in f.labels.enumerated() {
            if let problem = Config.Forward.labelProblem(label) { issue("forward.labels[\(i)]", problem) }
        }
        f.tlsCAFile = readableFile(&s, "tls_ca_file")
        f.batchMaxReadings = s.int("batch_max_readings", default: f.batchMaxReadings, min: 1, max: 1_000_000)
        f.batchMaxDelayMs = s.int("batch_max_delay_ms", default: f.batchMaxDelayMs, min: 0, max: 3_600_000)
        f.spoolMaxMB = s.double("spool_max_mb", default: f.spoolMaxMB, min: 0.01, max: 1_048_576)
        f.retryMinSeconds = s.double("retry_min_s", default: f.retryMinSeconds, min: 0.01, max: 3_600)
        f.retryMaxSeconds = s.double("retry_max_s", default: f.retryMaxSeconds, min: 0.01, max: 86_400)
        if f.retryMaxSeconds < f.retryMinSeconds { issue("forward.retry_max_s", "must not be below retry_min_s (\(f.retryMinSeconds))") }
        f.timeoutSeconds = s.double("timeout_s", default: f.timeoutSeconds, min: 0.1, max: 3_600)
        s.finish()
        c.forward = f
    }
}

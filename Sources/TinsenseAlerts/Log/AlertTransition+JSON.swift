import TinsenseCore

extension AlertTransition {
    /// The transition as one line of JSON (no trailing newline), fields in a fixed order;
    /// the format of `alerts.jsonl` and of the republished MQTT payload, documented in
    /// `docs/ALERTS.md`. Hand-written so the field order is stable for people reading
    /// `tail -F | jq -c` and so it costs no Foundation round trip per alert.
    package var jsonLine: String {
        var out = JSONLineWriter()
        out.field("time", RFC3339.format(time))
        out.field("state", kind.rawValue)
        out.field("sensor", sensor)
        out.field("topic", topic)
        out.field("rule", rule)
        out.field("detector", detector)
        out.field("severity", severity.description)
        out.field("value", value)
        out.field("score", score, decimals: 6)
        out.field("threshold", threshold, decimals: 6)
        out.field("alert_id", alertID)
        out.field("starts_at", RFC3339.format(startsAt))
        out.field("message", message)
        return out.finish()
    }

    /// `jsonLine` as bytes with the terminating newline, ready for one `write(2)`.
    package var jsonLineBytes: [UInt8] {
        var bytes = Array(jsonLine.utf8)
        bytes.append(0x0A)
        return bytes
    }
}

/// Builds one JSON object field by field.
struct JSONLineWriter {
    private var text = "{"
    private var first = true

    private mutating func key(_ k: String) {
        if !first { text += "," }
        first = false
        text += "\"" + k + "\":"
    }

    mutating func field(_ k: String, _ v: String?) {
        key(k)
        guard let v else { text += "null"; return }
        text += JSONLineWriter.quoted(v)
    }

    mutating func field(_ k: String, _ v: Double?, decimals: Int? = nil) {
        key(k)
        guard let v, v.isFinite else { text += "null"; return }
        if let decimals { text += FixedDecimal.format(v, decimals: decimals) } else { text += "\(v)" }
    }

    mutating func finish() -> String { text + "}" }

    /// A JSON string literal that cannot break the one-object-per-line framing.
    static func quoted(_ s: String) -> String { JSONString.quoted(s) }
}

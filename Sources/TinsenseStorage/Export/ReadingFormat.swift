import TinsenseCore

/// Where an exported reading was read from: a sealed segment, or the WAL tail a running
/// daemon has not sealed yet (`export --source`).
public enum ReadingSource: String, Sendable {
    case sealed
    case wal
}

/// The line formats `tinsense export` writes, one line per reading: values exactly as
/// received (mantissa and scale), times as RFC 3339 UTC with milliseconds.
public enum ReadingFormat: String, CaseIterable, Sendable {
    /// `sensor,source_time,receive_time,value,unit,quality`, RFC 4180 quoting.
    case csv
    /// One JSON object per line, with the reading's flags.
    case jsonl
    /// Influx line protocol: measurement `tinsense`, the sensor id as a tag, nanoseconds.
    case influx
    /// Influx line protocol as the forwarder sends it to VictoriaMetrics (docs/FORWARDING.md):
    /// unit and quality as tags, so they become labels (VictoriaMetrics keeps no string
    /// fields), milliseconds (`/write?precision=ms`). Back-fill posts this to the same URL.
    case victoriametrics

    /// What comes before the first line (the CSV header); nil for line-only formats.
    public var header: String? {
        self == .csv ? "sensor,source_time,receive_time,value,unit,quality\n" : nil
    }

    /// The reading's line, ending in `\n`.
    public func line(_ r: Reading) -> String {
        switch self {
        case .csv: Self.csv(r)
        case .jsonl: Self.jsonLine(r)
        case .influx: Self.influx(r)
        case .victoriametrics: Self.victoriaMetrics(r)
        }
    }

    /// The header when a `source` column is asked for (`export --source`): the CSV header
    /// gains a last column, so readers of the plain format are unaffected.
    public func header(withSource: Bool) -> String? {
        guard withSource, self == .csv else { return header }
        return "sensor,source_time,receive_time,value,unit,quality,source\n"
    }

    /// The line with where the reading came from: a last CSV column, a `"source"` JSON
    /// member, an Influx `source` tag. nil = the plain line.
    public func line(_ r: Reading, source: ReadingSource?) -> String {
        guard let source else { return line(r) }
        switch self {
        case .csv:
            return String(Self.csv(r).dropLast()) + ",\(source.rawValue)\n"
        case .jsonl:
            return String(Self.jsonLine(r).dropLast(2)) + ",\"source\":\"\(source.rawValue)\"}\n"
        case .influx:
            return Self.influx(r, sourceTag: source.rawValue)
        case .victoriametrics:
            return Self.victoriaMetrics(r)
        }
    }

    static func csv(_ r: Reading) -> String {
        "\(csvField(r.sensor)),\(r.sourceTime),\(r.receiveTime),\(r.value),\(csvField(r.unit ?? "")),\(r.quality)\n"
    }

    /// RFC 4180 quoting when the field holds a comma, quote, CR or LF.
    static func csvField(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        var out = "\""
        for c in s { out += c == "\"" ? "\"\"" : String(c) }
        return out + "\""
    }

    static func jsonLine(_ r: Reading) -> String {
        var flags: [String] = []
        if r.flags.contains(.sourceTimeMissing) { flags.append("\"source_time_missing\"") }
        if r.flags.contains(.qualityDowngraded) { flags.append("\"quality_downgraded\"") }
        if r.flags.contains(.imported) { flags.append("\"imported\"") }
        let unit = r.unit.map(JSONString.quoted) ?? "null"
        return "{\"sensor\":\(JSONString.quoted(r.sensor)),\"source_time\":\"\(r.sourceTime)\",\"receive_time\":\"\(r.receiveTime)\",\"value\":\(r.value),\"unit\":\(unit),\"quality\":\"\(r.quality)\",\"flags\":[\(flags.joined(separator: ","))]}\n"
    }

    /// Influx line protocol; the sensor id is a tag (commas, spaces and `=` escaped),
    /// the timestamp in nanoseconds (default precision).
    static func influx(_ r: Reading, sourceTag: String? = nil) -> String {
        var line = "tinsense,sensor=\(influxTag(r.sensor))"
        if let sourceTag { line += ",source=\(sourceTag)" }
        line += " value=\(r.value),quality=\"\(r.quality)\""
        if let u = r.unit { line += ",unit=\(influxFieldString(u))" }
        return line + " \(r.sourceTime.millisecondsSinceEpoch)000000\n"
    }

    /// `tinsense,sensor=<id>[,unit=<unit>],quality=<q> value=<value> <source ms>`: in
    /// VictoriaMetrics the sample `tinsense_value{sensor, unit, quality}` at the source time.
    public static func victoriaMetrics(_ r: Reading) -> String {
        var line = "tinsense,sensor=\(influxTag(r.sensor))"
        if let u = r.unit, !u.isEmpty { line += ",unit=\(influxTag(u))" }
        return line + ",quality=\(r.quality) value=\(r.value) \(r.sourceTime.millisecondsSinceEpoch)\n"
    }

    static func influxTag(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case ",", " ", "=", "\\": out += "\\" + String(c)
            case "\n": out += "\\n"
            default: out.append(c)
            }
        }
        return out.isEmpty ? "\\ " : out
    }

    static func influxFieldString(_ s: String) -> String {
        var out = "\""
        for c in s {
            if c == "\"" || c == "\\" { out += "\\" }
            out.append(c)
        }
        return out + "\""
    }
}

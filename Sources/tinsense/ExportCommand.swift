#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import TinsenseCore
import TinsenseStorage

/// `tinsense export`: stream sealed readings as CSV, JSON lines or Influx line protocol.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Stream sealed readings to stdout as csv, jsonl or influx line protocol.",
        discussion: """
        Reads sealed segments only: readings still in a running daemon's head appear after
        its next seal. Output is per series (ids in byte order), each in source-time order,
        in constant memory. Values are printed exactly as received (mantissa and scale),
        times as RFC 3339 UTC with milliseconds.

          csv     header sensor,source_time,receive_time,value,unit,quality
          jsonl   {"sensor":…,"source_time":…,"receive_time":…,"value":12.50,"unit":…,"quality":…,"flags":[…]}
          influx  tinsense,sensor=<id> value=<value>,quality="good"[,unit="…"] <source time in ns>

        --from is inclusive, --to exclusive; both take RFC 3339 (zone optional, UTC) or epoch ms.
        --sensor takes a sensor pattern: * any run of characters (including /), ? one character,
        [a-z] a class, \\ escapes (docs/SENSOR-PATTERNS.md).

        Example:
          tinsense export --data /var/lib/tinsense --sensor 'tinmine/site1/flotation/*' \\
            --from 2026-11-27T00:00:00Z --to 2026-11-28T00:00:00Z --format csv > day.csv

        A damaged directory still exports everything intact; each damaged part is named on
        stderr (file and offset) and the exit code is 1. Exit 2 for usage errors.
        """
    )

    @Option(help: "The data directory.")
    var data: String

    @Option(help: "Only sensors matching this pattern (* ? [a-z] \\; see docs/SENSOR-PATTERNS.md).")
    var sensor: String?

    @Option(help: "Inclusive start (RFC 3339 or epoch ms).")
    var from: String?

    @Option(help: "Exclusive end (RFC 3339 or epoch ms).")
    var to: String?

    @Option(help: "csv, jsonl or influx.")
    var format: String = "csv"

    func validate() throws {
        guard ["csv", "jsonl", "influx"].contains(format) else {
            throw usageError("export", "--format must be csv, jsonl or influx (got \"\(format)\")")
        }
        if let f = from, CSVImporter.parseTime(f) == nil { throw usageError("export", "--from: cannot read time \"\(f)\"") }
        if let t = to, CSVImporter.parseTime(t) == nil { throw usageError("export", "--to: cannot read time \"\(t)\"") }
    }

    func run() throws {
        let directory = DataDirectory(path: data)
        var isDirectory = stat()
        guard stat(data, &isDirectory) == 0, (isDirectory.st_mode & S_IFMT) == S_IFDIR else {
            printError("export: \(data) is not a directory")
            throw ExitCodes.usage
        }
        let cursor: ReadingCursor
        do {
            cursor = try directory.readings(sensor: sensor.map(SensorPattern.init), from: from.flatMap(CSVImporter.parseTime),
                                            to: to.flatMap(CSVImporter.parseTime))
        } catch {
            printError("export: \(error)")
            throw ExitCodes.runtimeFailure
        }
        var out = StandardOutput()
        if format == "csv" { out.write("sensor,source_time,receive_time,value,unit,quality\n") }
        var count = 0
        while let r = cursor.next() {
            switch format {
            case "csv": out.write(ReadingFormats.csv(r))
            case "jsonl": out.write(ReadingFormats.jsonLine(r))
            default: out.write(ReadingFormats.influx(r))
            }
            count += 1
        }
        guard out.flush() else {
            printError("export: writing to stdout failed (errno \(errno))")
            throw ExitCodes.runtimeFailure
        }
        if !cursor.damage.isEmpty {
            for d in cursor.damage { printError("export: damaged: \(d)") }
            printError("export: wrote \(count) intact readings; \(cursor.damage.count) damaged part\(cursor.damage.count == 1 ? "" : "s") skipped (run `tinsense verify --data \(data)`)")
            throw ExitCodes.runtimeFailure
        }
    }
}

/// Buffered stdout through write(2): exports can be gigabytes, and `print` flushes per line
/// when stdout is a pipe.
struct StandardOutput {
    private var buffer: [UInt8] = []
    private var failed = false

    init() { buffer.reserveCapacity(1 << 16) }

    mutating func write(_ s: String) {
        buffer.append(contentsOf: s.utf8)
        if buffer.count >= 1 << 16 { _ = flush() }
    }

    /// Writes what is buffered; false once any write failed (e.g. EPIPE).
    mutating func flush() -> Bool {
        guard !failed else { return false }
        var done = 0
        buffer.withUnsafeBytes { p in
            while done < p.count {
                let n = Glibc.write(1, p.baseAddress! + done, p.count - done)
                if n < 0, errno == EINTR { continue }
                if n <= 0 { failed = true; return }
                done += n
            }
        }
        buffer.removeAll(keepingCapacity: true)
        return !failed
    }
}

/// The three export line formats.
enum ReadingFormats {
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
        let unit = r.unit.map(jsonString) ?? "null"
        return "{\"sensor\":\(jsonString(r.sensor)),\"source_time\":\"\(r.sourceTime)\",\"receive_time\":\"\(r.receiveTime)\",\"value\":\(r.value),\"unit\":\(unit),\"quality\":\"\(r.quality)\",\"flags\":[\(flags.joined(separator: ","))]}\n"
    }

    static func jsonString(_ s: String) -> String { JSONString.quoted(s) }

    /// Influx line protocol; the sensor id is a tag (commas, spaces and `=` escaped),
    /// the timestamp in nanoseconds (default precision).
    static func influx(_ r: Reading) -> String {
        var line = "tinsense,sensor=\(influxTag(r.sensor)) value=\(r.value),quality=\"\(r.quality)\""
        if let u = r.unit { line += ",unit=\(influxFieldString(u))" }
        return line + " \(r.sourceTime.millisecondsSinceEpoch)000000\n"
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

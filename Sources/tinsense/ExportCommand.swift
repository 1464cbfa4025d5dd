#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import TinsenseCore
import TinsenseDaemon
import TinsenseStorage

/// `tinsense export`: stream sealed readings as CSV, JSON lines or Influx line protocol.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Stream stored readings (sealed and not yet sealed) to stdout as csv, jsonl or influx line protocol.",
        discussion: """
        Reads the sealed segments and, while a daemon runs, what it has not sealed yet: the WAL
        after the last checkpoint, decoded and validated with the daemon's config (--config,
        default /etc/tinsense/tinsense.toml when it exists), without taking its lock. Without a
        config those WAL records are counted on stderr, not shown; --sealed-only skips them.
        --source adds where each row came from (sealed or wal): a last CSV column `source`, a
        "source" JSON member, an Influx `source` tag. Output is per series (ids in byte
        order), each in source-time order. Values are printed exactly as received (mantissa
        and scale), times as RFC 3339 UTC with milliseconds.

          csv     header sensor,source_time,receive_time,value,unit,quality
          jsonl   {"sensor":…,"source_time":…,"receive_time":…,"value":12.50,"unit":…,"quality":…,"flags":[…]}
          influx  tinsense,sensor=<id> value=<value>,quality="good"[,unit="…"] <source time in ns>
          victoriametrics  tinsense,sensor=<id>[,unit=<unit>],quality=<q> value=<value> <source ms>
                  (what [forward] sends; back-fill: POST it to <url>/write?precision=ms, docs/FORWARDING.md)

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

    @Option(help: "csv, jsonl, influx or victoriametrics.")
    var format: String = "csv"

    @Flag(help: "Mark each row with where it was read from: sealed (a segment) or wal (not sealed yet).")
    var source = false

    @OptionGroup var fresh: FreshDataOptions

    func validate() throws {
        guard ReadingFormat(rawValue: format) != nil else {
            throw usageError("export", "--format must be csv, jsonl, influx or victoriametrics (got \"\(format)\")")
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
        let pattern = sensor.map(SensorPattern.init)
        let lo = from.flatMap(CSVImporter.parseTime), hi = to.flatMap(CSVImporter.parseTime)
        let cursor: ReadingCursor
        let tail: FreshDataOptions.Tail
        do {
            // The tail first: it settles which segments it complements, and the sealed part
            // is read from exactly those.
            let read = try fresh.read(command: "export", data: data, sensor: pattern, from: lo, to: hi)
            tail = read.tail
            cursor = try directory.readings(sensor: pattern, from: lo, to: hi, segmentFiles: read.sealed.segmentFiles)
        } catch let e as ExitCode {
            throw e
        } catch {
            printError("export: \(error)")
            throw ExitCodes.runtimeFailure
        }
        var freshReadings: [Reading] = []
        var damage: [DamageReport] = []
        if case .fresh(let f) = tail {
            freshReadings = f.readings
            damage += f.damage
        }
        let lineFormat = ReadingFormat(rawValue: format) ?? .csv
        var out = StandardOutput()
        if let header = lineFormat.header(withSource: source) { out.write(header) }
        var count = 0
        var merged = MergedReadings(sealed: cursor, fresh: freshReadings)
        while let (r, origin) = merged.next() {
            out.write(lineFormat.line(r, source: source ? origin : nil))
            count += 1
        }
        guard out.flush() else {
            printError("export: writing to stdout failed (errno \(errno))")
            throw ExitCodes.runtimeFailure
        }
        if let warning = FreshDataOptions.warning(tail, command: "export") { printError(warning) }
        damage = cursor.damage + damage
        if !damage.isEmpty {
            for d in damage { printError("export: damaged: \(d)") }
            printError("export: wrote \(count) intact readings; \(damage.count) damaged part\(damage.count == 1 ? "" : "s") skipped (run `tinsense verify --data \(data)`)")
            throw ExitCodes.runtimeFailure
        }
    }
}

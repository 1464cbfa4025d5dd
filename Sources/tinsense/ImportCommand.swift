import ArgumentParser
import TinsenseCore
import TinsenseStorage
import TinsenseSystem

/// `tinsense import`: backfill sealed segments from CSV files.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Backfill a data directory from CSV files (wide: time + one column per sensor; long: sensor,timestamp,value).",
        discussion: """
        Wide CSVs (like SKAB) have a time column (the first, or --time-column) and one column
        per sensor; long CSVs have the columns sensor, timestamp (or source_time) and value,
        optionally receive_time, unit and quality (what `tinsense export --format csv`
        writes). `;` or `,` separated. Times are RFC 3339 / ISO 8601 with `T` or a space, zone
        optional (UTC assumed), or epoch milliseconds. Each bad row or cell is reported on
        stderr as FILE:LINE and skipped; readings already stored are skipped as duplicates.
        Imported readings carry the `imported` flag and receive_time = source_time.
        Everything imported is sealed into segments before the command returns.

        Example (all SKAB files, labels excluded, one series per file and column):
          tinsense import --data /tmp/skabdata --format csv \\
            --exclude anomaly,changepoint --sensor-prefix 'skab/{dir}/{file}/' \\
            shared/data/skab/*/*.csv

        Exit codes: 0 imported (bad rows reported), 1 a file could not be read or written,
        2 usage error.
        """
    )

    @Option(help: "The data directory (created if missing).")
    var data: String

    @Option(help: "Input format; only csv.")
    var format: String = "csv"

    @Option(help: "Comma-separated sensor columns to import from a wide CSV (default: all but the time column and --exclude).")
    var columns: String?

    @Option(help: "Comma-separated columns of a wide CSV that are not sensors, e.g. anomaly,changepoint.")
    var exclude: String?

    @Option(help: "Prefix for sensor ids; {file} = file name without extension, {dir} = its directory's name.")
    var sensorPrefix: String = ""

    @Option(help: "Name of the time column of a wide CSV (default: the first column).")
    var timeColumn: String?

    @Option(help: "Unit recorded with readings that carry none.")
    var unit: String?

    @Option(help: "Out-of-order tolerance in seconds behind a series' newest reading (default: unlimited for backfill).")
    var toleranceSeconds: Int64?

    @Argument(help: "CSV files to import.")
    var files: [String]

    func validate() throws {
        guard format == "csv" else { throw usageError("import", "--format must be csv (got \"\(format)\")") }
        guard !files.isEmpty else { throw usageError("import", "name at least one CSV file") }
        if let t = toleranceSeconds, t < 0 || t > ImportCommand.maxToleranceSeconds {
            throw usageError("import", "--tolerance-seconds must be between 0 and \(ImportCommand.maxToleranceSeconds)")
        }
    }

    func run() throws {
        let logger = CommandLogging.logger("tinsense.import")
        let tolerance = toleranceSeconds.map { $0 * 1000 } ?? Int64.max / 4
        // One writer per data directory: a live daemon (or another import) would pick the same
        // segment numbers.
        let lock: DataDirectoryLock
        do {
            lock = try DataDirectoryLock(directory: data)
        } catch {
            printError("import: \(error)")
            throw ExitCodes.runtimeFailure
        }
        defer { withExtendedLifetime(lock) {} }
        let store: SegmentStore
        do {
            store = try SegmentStore(directory: data, options: StorageOptions(outOfOrderToleranceMs: tolerance), wal: nil, logger: logger)
        } catch {
            printError("import: cannot open data directory \(data): \(error)")
            throw ExitCodes.runtimeFailure
        }
        let options = CSVImportOptions(
            columns: columns.map(ImportCommand.list), exclude: exclude.map(ImportCommand.list) ?? [],
            sensorPrefix: sensorPrefix, timeColumn: timeColumn, unit: unit)
        let importer = CSVImporter(store: store, options: options)
        var total = CSVImportReport()
        var failed = false
        for file in files {
            do {
                total += try importer.importFile(file, now: WallClock.now()) { printError($0) }
            } catch let e as CSVImportError {
                printError("import: \(e)")
                throw ExitCodes.usage
            } catch {
                printError("import: \(file): \(error)")
                failed = true
            }
        }
        do {
            try store.sealNow(processedThrough: nil, now: WallClock.now())
        } catch {
            printError("import: sealing into \(data)/segments failed: \(error)")
            throw ExitCodes.runtimeFailure
        }
        print("imported \(total.stored) readings from \(total.rows) rows of \(files.count) file\(files.count == 1 ? "" : "s") into \(data) (duplicates \(total.duplicates), too late \(total.tooLate), skipped cells/rows \(total.problems))")
        if failed { throw ExitCodes.runtimeFailure }
    }

    /// 100 years: `* 1000` to milliseconds cannot overflow.
    static let maxToleranceSeconds: Int64 = 100 * 366 * 86_400

    static func list(_ text: String) -> [String] {
        text.split(separator: ",").map { String($0).trimmingCharacters(in: " ") }.filter { !$0.isEmpty }
    }
}

extension String {
    func trimmingCharacters(in set: Character) -> String {
        var s = Substring(self)
        while s.first == set { s.removeFirst() }
        while s.last == set { s.removeLast() }
        return String(s)
    }
}

import TinsenseCore

/// How `tinsense import` reads CSV files.
public struct CSVImportOptions: Sendable {
    /// Sensor columns to take from a wide CSV (nil = every column but the time column and
    /// `exclude`).
    public var columns: [String]?
    /// Columns of a wide CSV that are not sensors (labels such as SKAB's `anomaly`).
    public var exclude: [String]
    /// Put before every sensor id. `{file}` is replaced by the file name without extension
    /// and `{dir}` by the name of its directory (`skab/{dir}/{file}/` → `skab/valve1/3/`).
    public var sensorPrefix: String
    /// The time column of a wide CSV (nil = the first column).
    public var timeColumn: String?
    /// Unit to record for imported readings (long CSVs may carry their own `unit` column).
    public var unit: String?

    public init(columns: [String]? = nil, exclude: [String] = [], sensorPrefix: String = "", timeColumn: String? = nil, unit: String? = nil) {
        self.columns = columns
        self.exclude = exclude
        self.sensorPrefix = sensorPrefix
        self.timeColumn = timeColumn
        self.unit = unit
    }
}

/// What one import did.
public struct CSVImportReport: Sendable, Equatable {
    public var rows = 0
    public var stored = 0
    public var duplicates = 0
    public var tooLate = 0
    /// Cells or rows that could not be read (each also passed to the `problem` callback).
    public var problems = 0

    public init() {}

    public static func += (a: inout CSVImportReport, b: CSVImportReport) {
        a.rows += b.rows
        a.stored += b.stored
        a.duplicates += b.duplicates
        a.tooLate += b.tooLate
        a.problems += b.problems
    }
}

/// Why an import could not start on a file (its header), as opposed to bad rows.
public struct CSVImportError: Error, CustomStringConvertible {
    public var path: String
    public var message: String
    public var description: String { "\(path): \(message)" }
}

/// Backfills readings from CSV files into a `SegmentStore`.
///
/// Two shapes, told apart by the header: *long* (`sensor`, `timestamp` or `source_time`,
/// `value`, optional `receive_time`, `unit`, `quality`: what `tinsense export` writes) and
/// *wide* (a time column and one column per sensor, like the SKAB files). `;` or `,`
/// separated (whichever the header uses). Timestamps are RFC 3339 / ISO 8601 with `T` or a
/// space, zone optional (UTC assumed), or integer epoch milliseconds. A bad cell or row is
/// reported with `file:line` and skipped; nothing is dropped silently.
public struct CSVImporter {
    public let store: SegmentStore
    public let options: CSVImportOptions
    /// Rows between calls of `sealDueAndApplyRetention` (each may seal when the head is full).
    public var sealCheckEvery = 50_000

    public init(store: SegmentStore, options: CSVImportOptions) {
        self.store = store
        self.options = options
    }

    /// Imports one file. `problem` receives `file:line: what` for every skipped cell or row.
    /// `now` is the wall-clock time seals are made at (import passes it in; storage reads
    /// no clock).
    public func importFile(_ path: String, now: Timestamp, problem: (String) -> Void) throws -> CSVImportReport {
        let reader = try LineReader(path: path)
        guard let headerLine = try reader.next() else { throw CSVImportError(path: path, message: "empty file (no header)") }
        var header = Array(headerLine)
        if header.starts(with: [0xEF, 0xBB, 0xBF]) { header.removeFirst(3) }
        let separator: UInt8 = header.contains(0x3B) ? 0x3B : 0x2C
        let names = CSVImporter.split(header[...], separator).map { CSVImporter.unquote($0).trimmingSpaces }
        let lower = names.map { $0.lowercased() }
        let prefix = CSVImporter.expand(options.sensorPrefix, path: path)
        var report = CSVImportReport()
        if lower.contains("sensor"), lower.contains("value"), lower.contains("timestamp") || lower.contains("source_time") {
            try importLong(reader, names: lower, separator: separator, prefix: prefix, now: now, report: &report, problem: problem)
        } else {
            try importWide(reader, names: names, separator: separator, prefix: prefix, now: now, report: &report, problem: problem)
        }
        try store.sealDueAndApplyRetention(processedThrough: nil, now: now)
        return report
    }

    private func importWide(_ reader: LineReader, names: [String], separator: UInt8, prefix: String, now: Timestamp,
                            report: inout CSVImportReport, problem: (String) -> Void) throws {
        let path = reader.path
        let timeIndex: Int
        if let t = options.timeColumn {
            guard let i = names.firstIndex(of: t) else { throw CSVImportError(path: path, message: "no time column named \"\(t)\" in the header") }
            timeIndex = i
        } else {
            timeIndex = 0
        }
        if let wanted = options.columns {
            for w in wanted where !names.contains(w) {
                throw CSVImportError(path: path, message: "no column named \"\(w)\" in the header (columns: \(names.joined(separator: ", ")))")
            }
        }
        let sensorColumns: [(Int, String)] = names.enumerated().compactMap { i, name in
            guard i != timeIndex, !options.exclude.contains(name) else { return nil }
            if let wanted = options.columns, !wanted.contains(name) { return nil }
            return (i, prefix + name)
        }
        guard !sensorColumns.isEmpty else { throw CSVImportError(path: path, message: "no sensor columns left after --columns/--exclude") }
        while let line = try reader.next() {
            if line.isEmpty { continue }
            report.rows += 1
            let cells = CSVImporter.split(line, separator)
            let where_ = "\(path):\(reader.lineNumber)"
            guard cells.count == names.count else {
                report.problems += 1
                problem("\(where_): \(cells.count) fields, the header has \(names.count); row skipped")
                continue
            }
            guard let time = CSVImporter.parseTime(CSVImporter.unquote(cells[timeIndex])) else {
                report.problems += 1
                problem("\(where_): cannot read time \"\(String(decoding: cells[timeIndex], as: UTF8.self))\"; row skipped")
                continue
            }
            for (i, sensor) in sensorColumns {
                let text = CSVImporter.unquote(cells[i]).trimmingSpaces
                guard let value = DecimalValue(text) else {
                    report.problems += 1
                    problem("\(where_): column \(names[i]): \(text.isEmpty ? "empty value" : "not a decimal number \"\(text)\""); cell skipped")
                    continue
                }
                record(Reading(sensor: sensor, sourceTime: time, receiveTime: time, value: value, unit: options.unit,
                               quality: .good, flags: .imported), where_, &report, problem)
            }
            if report.rows % sealCheckEvery == 0 { try store.sealDueAndApplyRetention(processedThrough: nil, now: now) }
        }
    }

    private func importLong(_ reader: LineReader, names: [String], separator: UInt8, prefix: String, now: Timestamp,
                            report: inout CSVImportReport, problem: (String) -> Void) throws {
        let sensorIndex = names.firstIndex(of: "sensor")!
        let timeIndex = names.firstIndex(of: "source_time") ?? names.firstIndex(of: "timestamp")!
        let valueIndex = names.firstIndex(of: "value")!
        let receiveIndex = names.firstIndex(of: "receive_time")
        let unitIndex = names.firstIndex(of: "unit")
        let qualityIndex = names.firstIndex(of: "quality")
        while let line = try reader.next() {
            if line.isEmpty { continue }
            report.rows += 1
            let cells = CSVImporter.split(line, separator)
            let where_ = "\(reader.path):\(reader.lineNumber)"
            guard cells.count == names.count else {
                report.problems += 1
                problem("\(where_): \(cells.count) fields, the header has \(names.count); row skipped")
                continue
            }
            let sensor = CSVImporter.unquote(cells[sensorIndex])
            let valueText = CSVImporter.unquote(cells[valueIndex]).trimmingSpaces
            guard !sensor.isEmpty, let time = CSVImporter.parseTime(CSVImporter.unquote(cells[timeIndex])),
                  let value = DecimalValue(valueText) else {
                report.problems += 1
                problem("\(where_): needs a sensor, a time (RFC 3339 or epoch ms) and a decimal value; row skipped")
                continue
            }
            var receive = time
            if let r = receiveIndex, !cells[r].isEmpty {
                guard let t = CSVImporter.parseTime(CSVImporter.unquote(cells[r])) else {
                    report.problems += 1
                    problem("\(where_): cannot read receive_time; row skipped")
                    continue
                }
                receive = t
            }
            var quality = Quality.good
            if let q = qualityIndex, !cells[q].isEmpty {
                guard let parsed = Quality(name: CSVImporter.unquote(cells[q])) else {
                    report.problems += 1
                    problem("\(where_): unknown quality; row skipped")
                    continue
                }
                quality = parsed
            }
            let unitText = unitIndex.map { CSVImporter.unquote(cells[$0]) } ?? ""
            record(Reading(sensor: prefix + sensor, sourceTime: time, receiveTime: receive, value: value,
                           unit: unitText.isEmpty ? options.unit : unitText, quality: quality, flags: .imported),
                   where_, &report, problem)
            if report.rows % sealCheckEvery == 0 { try store.sealDueAndApplyRetention(processedThrough: nil, now: now) }
        }
    }

    private func record(_ r: Reading, _ where_: String, _ report: inout CSVImportReport, _ problem: (String) -> Void) {
        do {
            switch try store.append(r) {
            case .stored: report.stored += 1
            case .duplicate:
                report.duplicates += 1
                problem("\(where_): \(r.sensor) at \(r.sourceTime) is already stored; skipped")
            case .tooLate:
                report.tooLate += 1
                problem("\(where_): \(r.sensor) at \(r.sourceTime) is older than the out-of-order tolerance; skipped")
            }
        } catch {
            report.problems += 1
            problem("\(where_): \(r.sensor): \(error); skipped")
        }
    }

    // MARK: Parsing helpers

    /// Splits on `separator` outside double quotes.
    static func split(_ line: ArraySlice<UInt8>, _ separator: UInt8) -> [ArraySlice<UInt8>] {
        var out: [ArraySlice<UInt8>] = []
        var start = line.startIndex
        var quoted = false
        var i = line.startIndex
        while i < line.endIndex {
            let c = line[i]
            if c == 0x22 { quoted.toggle() } else if c == separator, !quoted {
                out.append(line[start..<i])
                start = i + 1
            }
            i += 1
        }
        out.append(line[start..<line.endIndex])
        return out
    }

    /// The cell's text without surrounding quotes (`""` inside quotes is one quote).
    static func unquote(_ cell: ArraySlice<UInt8>) -> String {
        var c = cell
        if c.count >= 2, c.first == 0x22, c.last == 0x22 {
            c = c.dropFirst().dropLast()
            return String(decoding: c, as: UTF8.self).replacingOccurrences(of: "\"\"", with: "\"")
        }
        return String(decoding: c, as: UTF8.self)
    }

    /// RFC 3339 / ISO 8601 (zone optional, UTC assumed) or integer epoch milliseconds.
    public static func parseTime(_ text: String) -> Timestamp? {
        let t = text.trimmingSpaces
        if !t.isEmpty, t.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "-") }), let ms = Int64(t) {
            return Timestamp(millisecondsSinceEpoch: ms)
        }
        return RFC3339.parse(t, allowMissingZone: true)
    }

    static func expand(_ prefix: String, path: String) -> String {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        let fileName = parts.last.map(String.init) ?? path
        let stem = fileName.lastIndex(of: ".").map { String(fileName[..<$0]) } ?? fileName
        let dir = parts.count >= 2 ? String(parts[parts.count - 2]) : ""
        return prefix.replacingOccurrences(of: "{file}", with: stem).replacingOccurrences(of: "{dir}", with: dir)
    }
}

extension String {
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        guard !target.isEmpty, contains(target) else { return self }
        var out = ""
        var rest = Substring(self)
        while let r = rest.range(of: target) {
            out += rest[..<r.lowerBound]
            out += replacement
            rest = rest[r.upperBound...]
        }
        out += rest
        return out
    }
}

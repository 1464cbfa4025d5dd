import TinsenseCore
import TinsenseDetect

/// The engine of `tinsense score`: CSV `timestamp,value` bytes in, CSV
/// `timestamp,value,anomaly_score` bytes out, one row per input row in the same order, the
/// timestamp and value text echoed byte for byte, the score with six decimals.
///
/// Pure and streaming: the caller feeds chunks as they arrive and writes what comes out, so
/// a series of any length is scored in constant memory with no look-ahead.
///
/// Bad rows (a timestamp or value that does not parse, `NaN`, an empty value) are kept in
/// place with score `0.000000` and reported in `warnings`, and the detector does not learn
/// from them — a real-world series with a few holes still gets scored. With `strict`, the
/// first bad row throws instead (the command exits 2 naming the line).
package struct CSVSeriesScorer {
    private var series: SeriesScorer
    package var detector: SensorDetector { series.detector }
    package let strict: Bool
    /// Data rows seen (header and blank lines excluded).
    package private(set) var rowCount = 0
    /// Rows that scored 0 because they did not parse.
    package private(set) var badRowCount = 0
    /// The first `maxWarnings` problems, each naming its line.
    package private(set) var warnings: [String] = []
    package static let maxWarnings = 20
    package static let outputHeader = Array("timestamp,value,anomaly_score\n".utf8)

    private var carry: [UInt8] = []
    private var lineNumber = 0
    private var sawHeader = false
    private var timestampColumn = 0
    private var valueColumn = 1

    package init(spec: DetectorSpec, strict: Bool = false) {
        series = SeriesScorer(spec: spec)
        self.strict = strict
    }

    /// Scores every complete line in `chunk` (a partial last line waits for the next chunk)
    /// and appends the output rows to `output`.
    package mutating func consume(_ chunk: UnsafeRawBufferPointer, into output: inout [UInt8]) throws(ScoreInputError) {
        var start = 0
        let n = chunk.count
        var i = 0
        while i < n {
            if chunk[i] == 0x0A {
                if carry.isEmpty {
                    try line(UnsafeRawBufferPointer(rebasing: chunk[start..<i]), into: &output)
                } else {
                    carry.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[start..<i]))
                    let whole = carry
                    carry.removeAll(keepingCapacity: true)
                    try lineFromArray(whole, into: &output)
                }
                start = i + 1
            }
            i += 1
        }
        if start < n { carry.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[start..<n])) }
    }

    /// Scores a last line without a newline. Throws `.noHeader` for empty input.
    package mutating func finish(into output: inout [UInt8]) throws(ScoreInputError) {
        if !carry.isEmpty {
            let whole = carry
            carry.removeAll()
            try lineFromArray(whole, into: &output)
        }
        if !sawHeader { throw .noHeader }
    }

    private mutating func lineFromArray(_ bytes: [UInt8], into output: inout [UInt8]) throws(ScoreInputError) {
        var failure: ScoreInputError?
        bytes.withUnsafeBytes { p in
            do throws(ScoreInputError) { try line(p, into: &output) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    private mutating func line(_ raw: UnsafeRawBufferPointer, into output: inout [UInt8]) throws(ScoreInputError) {
        lineNumber += 1
        var end = raw.count
        if end > 0 && raw[end - 1] == 0x0D { end -= 1 }
        let text = UnsafeRawBufferPointer(rebasing: raw[0..<end])
        if isBlank(text) { return }
        guard sawHeader else {
            try header(text, into: &output)
            if sawHeader { return }
            // No header: the first line is data (`timestamp,value` order assumed).
            sawHeader = true
            output.append(contentsOf: Self.outputHeader)
            warn("line \(lineNumber): no header row; reading columns as timestamp,value")
            try row(text, into: &output)
            return
        }
        try row(text, into: &output)
    }

    private mutating func header(_ text: UnsafeRawBufferPointer, into output: inout [UInt8]) throws(ScoreInputError) {
        let fields = Self.fieldRanges(text)
        var ts: Int?, value: Int?
        for (k, r) in fields.enumerated() {
            let name = String(decoding: UnsafeRawBufferPointer(rebasing: text[r]), as: UTF8.self)
                .lowercased().filter { $0 != "\"" && $0 != " " && $0 != "\u{FEFF}" }
            if ts == nil, ["timestamp", "time", "datetime", "date", "ts", "time_stamp"].contains(name) { ts = k }
            if value == nil, ["value", "val", "y", "values"].contains(name) { value = k }
        }
        if let ts, let value {
            timestampColumn = ts
            valueColumn = value
            sawHeader = true
            output.append(contentsOf: Self.outputHeader)
            return
        }
        // A first line that parses as data is taken as data; anything else is a bad header.
        if fields.count >= 2, TimestampText.parse(UnsafeRawBufferPointer(rebasing: text[fields[0]])) != nil { return }
        throw .badHeader(line: lineNumber, text: String(decoding: text, as: UTF8.self))
    }

    private mutating func row(_ text: UnsafeRawBufferPointer, into output: inout [UInt8]) throws(ScoreInputError) {
        rowCount += 1
        let fields = Self.fieldRanges(text)
        guard fields.count > max(timestampColumn, valueColumn) else {
            try bad("expected at least \(max(timestampColumn, valueColumn) + 1) columns, found \(fields.count)",
                    text, fields, into: &output)
            return
        }
        let tsBytes = UnsafeRawBufferPointer(rebasing: text[fields[timestampColumn]])
        let valueBytes = UnsafeRawBufferPointer(rebasing: text[fields[valueColumn]])
        guard let time = TimestampText.parse(tsBytes) else {
            try bad("timestamp '\(String(decoding: tsBytes, as: UTF8.self))' is not ISO-8601", text, fields, into: &output)
            return
        }
        guard let value = NumberText.parseDouble(valueBytes) else {
            try bad("value '\(String(decoding: valueBytes, as: UTF8.self))' is not a finite number", text, fields, into: &output)
            return
        }
        let score = series.score(time: time, value: value)
        output.append(contentsOf: tsBytes)
        output.append(0x2C)
        output.append(contentsOf: valueBytes)
        output.append(0x2C)
        Self.appendScore(score, to: &output)
        output.append(0x0A)
    }

    private mutating func bad(_ reason: String, _ text: UnsafeRawBufferPointer, _ fields: [Range<Int>],
                              into output: inout [UInt8]) throws(ScoreInputError) {
        if strict { throw .badRow(line: lineNumber, reason: reason) }
        badRowCount += 1
        warn("line \(lineNumber): \(reason); scored 0")
        let ts = fields.indices.contains(timestampColumn) ? UnsafeRawBufferPointer(rebasing: text[fields[timestampColumn]]) : UnsafeRawBufferPointer(start: nil, count: 0)
        let v = fields.indices.contains(valueColumn) ? UnsafeRawBufferPointer(rebasing: text[fields[valueColumn]]) : UnsafeRawBufferPointer(start: nil, count: 0)
        output.append(contentsOf: ts)
        output.append(0x2C)
        output.append(contentsOf: v)
        output.append(contentsOf: Array(",0.000000\n".utf8))
    }

    private mutating func warn(_ message: String) {
        if warnings.count < Self.maxWarnings { warnings.append(message) }
    }

    private func isBlank(_ p: UnsafeRawBufferPointer) -> Bool {
        p.allSatisfy { $0 == 0x20 || $0 == 0x09 }
    }

    /// Byte ranges of comma-separated fields; commas inside double quotes do not split.
    static func fieldRanges(_ p: UnsafeRawBufferPointer) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        ranges.reserveCapacity(4)
        var start = 0
        var quoted = false
        for i in 0..<p.count {
            let c = p[i]
            if c == 0x22 { quoted.toggle() } else if c == 0x2C && !quoted {
                ranges.append(start..<i)
                start = i + 1
            }
        }
        ranges.append(start..<p.count)
        return ranges
    }

    /// `0.123456`: scores are in [0, 1], so six decimals need no general formatter.
    @inline(__always)
    static func appendScore(_ score: Double, to out: inout [UInt8]) {
        let micro = Int((min(max(score, 0), 1) * 1_000_000).rounded())
        out.append(micro >= 1_000_000 ? 0x31 : 0x30)
        out.append(0x2E)
        var digits = micro % 1_000_000
        var tmp: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0, 0)
        tmp.5 = UInt8(0x30 + digits % 10); digits /= 10
        tmp.4 = UInt8(0x30 + digits % 10); digits /= 10
        tmp.3 = UInt8(0x30 + digits % 10); digits /= 10
        tmp.2 = UInt8(0x30 + digits % 10); digits /= 10
        tmp.1 = UInt8(0x30 + digits % 10); digits /= 10
        tmp.0 = UInt8(0x30 + digits % 10)
        out.append(tmp.0); out.append(tmp.1); out.append(tmp.2); out.append(tmp.3); out.append(tmp.4); out.append(tmp.5)
    }
}

/// Input `tinsense score` cannot score, naming the line.
package enum ScoreInputError: Error, Sendable, Hashable, CustomStringConvertible {
    case noHeader
    case badHeader(line: Int, text: String)
    case badRow(line: Int, reason: String)

    package var description: String {
        switch self {
        case .noHeader: "empty input: expected a header line 'timestamp,value' and rows"
        case .badHeader(let line, let text): "line \(line): header '\(text)' has no 'timestamp' and 'value' columns"
        case .badRow(let line, let reason): "line \(line): \(reason)"
        }
    }
}

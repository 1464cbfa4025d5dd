import TinsenseCore

/// Decodes an InfluxDB line-protocol payload: one or many lines, each
/// `measurement[,tag=value...] field=value[,field=value...] [timestamp]`, separated by `\n`
/// (a `\r` before it is dropped); blank lines and lines starting with `#` are skipped. Pure.
///
/// Every field is one item: its metric is `measurement/field`, its tags are the line's tags
/// (for `{tag.NAME}` in a sensor id), its source time the line's timestamp (in the sensor's
/// `precision`, nanoseconds by default; sub-millisecond digits are cut toward the past) or none,
/// so validation uses the receive time as for JSON without `ts`.
///
/// Field values: floats (with exponent) and `12i`/`12u` integers are readings; `NaN`/`inf` are
/// not a number (quarantined `nan` by validation); booleans are the readings 1 and 0, so a
/// running/stopped state can be stored and used to mute downstream alerts; a string is never a
/// reading and its item is refused, naming the field. A line that cannot be parsed is one
/// failed item whose detail starts with its line number; the message's other lines are kept.
package enum LineProtocolDecoder {
    package static func decode(_ bytes: UnsafeRawBufferPointer, precision: TimestampPrecision, limits: DecodeLimits) -> PayloadDecoder.Outcome {
        var results: [Result<DecodedItem, DecodeFailure>] = []
        var lineNumber = 0
        var start = 0
        let n = bytes.count
        while start < n {
            lineNumber += 1
            var end = start
            while end < n, bytes[end] != 0x0A { end += 1 }
            let next = end + 1
            if end > start, bytes[end - 1] == 0x0D { end -= 1 }
            defer { start = next }
            var first = start
            while first < end, bytes[first] == 0x20 || bytes[first] == 0x09 { first += 1 }
            if first == end || bytes[first] == UInt8(ascii: "#") { continue }

            let budget = limits.maxBatch - results.count
            guard budget > 0 else { return .failure(tooMany(limits)) }
            guard end - first <= LineProtocolLimits.maxLineBytes else {
                results.append(.failure(DecodeFailure(.tooLarge, "line \(lineNumber): longer than \(LineProtocolLimits.maxLineBytes) bytes")))
                continue
            }
            switch LineProtocolLine.parse(bytes, first, end, fieldBudget: budget) {
            case .failure(.tooManyFields):
                return .failure(tooMany(limits))
            case .failure(.malformed(let detail)):
                results.append(.failure(DecodeFailure(.malformed, "line \(lineNumber): \(detail)")))
            case .failure(.tooLarge(let detail)):
                results.append(.failure(DecodeFailure(.tooLarge, "line \(lineNumber): \(detail)")))
            case .success(let line):
                let sourceTime: Timestamp?
                switch line.timestamp.map({ milliseconds($0, precision) }) {
                case nil:
                    sourceTime = nil
                case .some(nil):
                    results.append(.failure(DecodeFailure(.malformed, "line \(lineNumber): timestamp \(line.timestamp!) \(precision.rawValue) is out of range in milliseconds")))
                    continue
                case .some(.some(let ms)):
                    sourceTime = Timestamp(millisecondsSinceEpoch: ms)
                }
                for field in line.fields {
                    results.append(item(field, line: line, number: lineNumber, sourceTime: sourceTime))
                }
            }
        }
        if results.isEmpty { return .failure(DecodeFailure(.malformed, "no line-protocol lines (only blank or comment lines)")) }
        return .items(results)
    }

    package static func decode(_ bytes: [UInt8], precision: TimestampPrecision = .nanoseconds, limits: DecodeLimits = DecodeLimits()) -> PayloadDecoder.Outcome {
        bytes.withUnsafeBytes { decode($0, precision: precision, limits: limits) }
    }

    private static func tooMany(_ limits: DecodeLimits) -> DecodeFailure {
        DecodeFailure(.tooLarge, "more than max_batch = \(limits.maxBatch) fields and bad lines in one line-protocol message")
    }

    private static func item(_ field: (key: String, value: LineProtocolLine.FieldValue), line: LineProtocolLine, number: Int, sourceTime: Timestamp?) -> Result<DecodedItem, DecodeFailure> {
        let metric = line.measurement + "/" + field.key
        let value: DecodedItem.Value
        switch field.value {
        case .boolean(let b):
            value = .number(DecimalValue(mantissa: b ? 1 : 0, scale: 0))
        case .string:
            return .failure(DecodeFailure(.malformed, "line \(number): field \(clipped(field.key)) of \(clipped(line.measurement)) is a string, not a reading"))
        case .integer(let digits):
            guard let v = Int64(digits) else {
                return .failure(DecodeFailure(.malformed, "line \(number): field \(clipped(field.key)) integer \(clipped(digits))i is not a 64-bit integer"))
            }
            value = .number(DecimalValue(mantissa: v, scale: 0))
        case .unsigned(let digits):
            guard let u = UInt64(digits), let v = Int64(exactly: u) else {
                return .failure(DecodeFailure(.malformed, "line \(number): field \(clipped(field.key)) unsigned \(clipped(digits))u is not an integer below 2^63"))
            }
            value = .number(DecimalValue(mantissa: v, scale: 0))
        case .float(let text):
            if let v = float(text) {
                value = .number(v)
            } else if ItemInterpreter.isNotANumber(text) {
                value = .notANumber(text)
            } else if ItemInterpreter.looksNumeric(text) {
                return .failure(DecodeFailure(.malformed, "line \(number): field \(clipped(field.key)) value \(clipped(text)) has more than 18 significant digits or is out of range"))
            } else {
                return .failure(DecodeFailure(.malformed, "line \(number): field \(clipped(field.key)) value \(clipped(text)) is not a number"))
            }
        }
        return .success(DecodedItem(value: value, sourceTime: sourceTime, metric: metric, tags: line.tags))
    }

    /// A line-protocol float: JSON's number grammar plus a leading `+`, a leading `.` and a
    /// trailing `.` (`+1.5`, `.5`, `1.`), which InfluxDB also accepts.
    static func float(_ text: String) -> DecimalValue? {
        var t = Substring(text)
        if t.hasPrefix("+") { t = t.dropFirst() }
        var negative = false
        if t.hasPrefix("-") { negative = true; t = t.dropFirst() }
        if t.hasPrefix(".") { t = "0" + t }
        if let dot = t.firstIndex(of: "."), t.index(after: dot) == t.endIndex || "eE".contains(t[t.index(after: dot)]) {
            t = t[..<dot] + ".0" + t[t.index(after: dot)...]
        }
        // JSON refuses leading zeros; line protocol writes them (`007`), and they change nothing.
        while t.count > 1, t.first == "0", let second = t.dropFirst().first, second.isASCII, second.isNumber { t = t.dropFirst() }
        return DecimalValue((negative ? "-" : "") + t)
    }

    /// `raw` in `precision` as whole milliseconds, floored; nil when it does not fit.
    static func milliseconds(_ raw: Int64, _ precision: TimestampPrecision) -> Int64? {
        switch precision {
        case .seconds:
            let (ms, overflow) = raw.multipliedReportingOverflow(by: 1000)
            return overflow ? nil : ms
        case .milliseconds:
            return raw
        case .microseconds, .nanoseconds:
            let d = precision.perMillisecond
            let q = raw / d
            return raw % d != 0 && raw < 0 ? q - 1 : q
        }
    }
}

/// One line of InfluxDB line protocol, parsed:
/// `measurement[,tag=value...] field=value[,field=value...] [timestamp]`.
///
/// Escaping follows InfluxDB: in the measurement a backslash escapes a comma or a space; in tag
/// keys, tag values and field keys it escapes a comma, an equals sign or a space; in a string
/// field value (double-quoted) it escapes a double quote or a backslash. Everywhere, two
/// backslashes are one (InfluxDB reads `\\` as `\`), so a name can end in a backslash
/// (`m\\ v=1` is measurement `m\`); a backslash before any other character is an ordinary
/// character. A newline always ends a line, even inside quotes.
struct LineProtocolLine {
    enum FieldValue: Equatable {
        /// An unsuffixed number (or `NaN`/`inf` text), verbatim.
        case float(String)
        /// `12i`, with the digits only.
        case integer(String)
        /// `12u`, with the digits only.
        case unsigned(String)
        case boolean(Bool)
        /// A double-quoted string; its content is not kept (a string is never a reading).
        case string
    }

    var measurement: String
    var tags: [String: String]
    var fields: [(key: String, value: FieldValue)]
    /// The raw integer, in the sensor's precision.
    var timestamp: Int64?

    /// What makes a whole line unusable.
    enum Problem: Error, Equatable {
        case malformed(String)
        case tooLarge(String)
        /// More fields than the message has room for (`max_batch`).
        case tooManyFields
    }

    /// Parses `p[start..<end]` (no line terminator). `fieldBudget` is how many more items the
    /// message may hold, so a line of a million fields stops at the budget.
    static func parse(_ p: UnsafeRawBufferPointer, _ start: Int, _ end: Int, fieldBudget: Int) -> Result<LineProtocolLine, Problem> {
        var cursor = Cursor(p: p, i: start, end: end)
        do {
            return .success(try cursor.line(fieldBudget: fieldBudget))
        } catch {
            return .failure(error)
        }
    }
}

private let comma = UInt8(ascii: ","), space = UInt8(ascii: " "), equals = UInt8(ascii: "=")
private let backslash = UInt8(ascii: "\\"), quote = UInt8(ascii: "\"")

/// A position in one line's bytes; each method reads one element and moves past it.
private struct Cursor {
    let p: UnsafeRawBufferPointer
    var i: Int
    let end: Int
    var scratch: [UInt8] = []

    init(p: UnsafeRawBufferPointer, i: Int, end: Int) {
        self.p = p
        self.i = i
        self.end = end
        scratch.reserveCapacity(64)
    }

    var atEnd: Bool { i >= end }

    mutating func line(fieldBudget: Int) throws(LineProtocolLine.Problem) -> LineProtocolLine {
        let measurement = try escaped(stops: [comma, space], escapable: [comma, space], what: "measurement", limit: LineProtocolLimits.maxNameBytes)
        guard !measurement.isEmpty else { throw .malformed("empty measurement") }
        var tags: [String: String] = [:]
        while !atEnd, p[i] == comma {
            i += 1
            let key = try escaped(stops: [equals, comma, space], escapable: [comma, equals, space], what: "tag key", limit: LineProtocolLimits.maxNameBytes)
            guard !key.isEmpty else { throw .malformed("empty tag key after measurement \(clipped(measurement))") }
            guard !atEnd, p[i] == equals else { throw .malformed("tag key \(clipped(key)) has no '=value'") }
            i += 1
            let value = try escaped(stops: [comma, space], escapable: [comma, equals, space], what: "value of tag \(clipped(key))", limit: LineProtocolLimits.maxTagValueBytes)
            guard !value.isEmpty else { throw .malformed("tag \(clipped(key)) has an empty value") }
            guard tags.count < LineProtocolLimits.maxTags else { throw .tooLarge("more than \(LineProtocolLimits.maxTags) tags") }
            guard tags.updateValue(value, forKey: key) == nil else { throw .malformed("tag \(clipped(key)) appears twice") }
        }
        guard !atEnd, p[i] == space else { throw .malformed("measurement \(clipped(measurement)) has no fields") }
        skipSpaces()
        guard !atEnd else { throw .malformed("measurement \(clipped(measurement)) has no fields") }
        var fields: [(key: String, value: LineProtocolLine.FieldValue)] = []
        var seen = Set<String>()
        while true {
            let key = try escaped(stops: [equals, comma, space], escapable: [comma, equals, space], what: "field key", limit: LineProtocolLimits.maxNameBytes)
            guard !key.isEmpty else { throw .malformed("empty field key") }
            guard !atEnd, p[i] == equals else { throw .malformed("field \(clipped(key)) has no '=value'") }
            i += 1
            let value = try fieldValue(key)
            guard fields.count < fieldBudget else { throw .tooManyFields }
            guard seen.insert(key).inserted else { throw .malformed("field \(clipped(key)) appears twice") }
            fields.append((key, value))
            if atEnd { break }
            if p[i] == comma {
                i += 1
                continue
            }
            break
        }
        let timestamp = try timestamp()
        return LineProtocolLine(measurement: measurement, tags: tags, fields: fields, timestamp: timestamp)
    }

    mutating func skipSpaces() {
        while !atEnd, p[i] == space { i += 1 }
    }

    /// Reads up to an unescaped stop byte, unescaping `escapable`; the result must be UTF-8.
    mutating func escaped(stops: [UInt8], escapable: [UInt8], what: String, limit: Int) throws(LineProtocolLine.Problem) -> String {
        scratch.removeAll(keepingCapacity: true)
        while !atEnd {
            let b = p[i]
            if b == backslash, i + 1 < end, p[i + 1] == backslash || escapable.contains(p[i + 1]) {
                scratch.append(p[i + 1])
                i += 2
            } else if stops.contains(b) {
                break
            } else {
                scratch.append(b)
                i += 1
            }
            if scratch.count > limit { throw .tooLarge("\(what) is longer than \(limit) bytes") }
        }
        guard let text = String(validating: scratch, as: UTF8.self) else { throw .malformed("\(what) is not valid UTF-8") }
        return text
    }

    mutating func fieldValue(_ key: String) throws(LineProtocolLine.Problem) -> LineProtocolLine.FieldValue {
        guard !atEnd, p[i] != comma, p[i] != space else { throw .malformed("field \(clipped(key)) has no value") }
        if p[i] == quote {
            i += 1
            while !atEnd {
                if p[i] == backslash, i + 1 < end, p[i + 1] == quote || p[i + 1] == backslash {
                    i += 2
                } else if p[i] == quote {
                    i += 1
                    guard atEnd || p[i] == comma || p[i] == space else { throw .malformed("text right after the closing quote of field \(clipped(key))") }
                    return .string
                } else {
                    i += 1
                }
            }
            throw .malformed("string value of field \(clipped(key)) has no closing quote")
        }
        let start = i
        while !atEnd, p[i] != comma, p[i] != space { i += 1 }
        guard i - start <= LineProtocolLimits.maxValueBytes else { throw .tooLarge("value of field \(clipped(key)) is longer than \(LineProtocolLimits.maxValueBytes) bytes") }
        guard let text = String(validating: UnsafeRawBufferPointer(rebasing: p[start..<i]), as: UTF8.self) else {
            throw .malformed("value of field \(clipped(key)) is not valid UTF-8")
        }
        switch text {
        case "t", "T", "true", "True", "TRUE": return .boolean(true)
        case "f", "F", "false", "False", "FALSE": return .boolean(false)
        default: break
        }
        if text.hasSuffix("i") { return .integer(String(text.dropLast())) }
        if text.hasSuffix("u") { return .unsigned(String(text.dropLast())) }
        return .float(text)
    }

    mutating func timestamp() throws(LineProtocolLine.Problem) -> Int64? {
        skipSpaces()
        guard !atEnd else { return nil }
        let start = i
        while !atEnd, p[i] != space { i += 1 }
        let token = UnsafeRawBufferPointer(rebasing: p[start..<i])
        skipSpaces()
        guard atEnd else { throw .malformed("unexpected text after the timestamp") }
        var negative = false
        var digits = token[...]
        if digits.first == UInt8(ascii: "-") { negative = true; digits = digits.dropFirst() }
        guard !digits.isEmpty, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            throw .malformed("timestamp \(clipped(String(decoding: token.prefix(40), as: UTF8.self))) is not an integer")
        }
        var value: Int64 = 0
        for d in digits {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.subtractingReportingOverflow(Int64(d - 0x30))
            guard !o1, !o2 else { throw .malformed("timestamp is out of the 64-bit range") }
            value = s
        }
        if !negative {
            guard value != Int64.min else { throw .malformed("timestamp is out of the 64-bit range") }
            value = -value
        }
        return value
    }
}

/// A bounded, quoted excerpt for a detail.
func clipped(_ text: String) -> String {
    "\"" + (text.count > 40 ? String(text.prefix(40)) + "…" : text) + "\""
}

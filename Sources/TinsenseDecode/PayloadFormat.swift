/// How the payloads on one `[[sensor]]` topic pattern are decoded (`format` in the config).
///
/// The format is a property of the topic, decided before decoding (the first `[[sensor]]`
/// whose topic pattern matches decides), so one device's bytes can never be read as two
/// formats depending on their content — except under `auto`, which says exactly how it guesses.
package struct PayloadFormat: Sendable, Hashable, CustomStringConvertible {
    package enum Kind: String, Sendable, Hashable, CaseIterable {
        /// A JSON object, a JSON array of objects (a batch), or a bare number: one sensor per topic.
        case json
        /// InfluxDB line protocol: many metrics per message (`measurement/field`).
        case influx
        /// Sparkplug B protobuf on `spBv1.0/...` topics: many metrics per message.
        case sparkplug
        /// Detected per message: see `PayloadFormat.detect`.
        case auto
    }

    package var kind: Kind
    /// The unit of line-protocol timestamps (InfluxDB's `precision`); nanoseconds by default.
    package var precision: TimestampPrecision

    package init(_ kind: Kind, precision: TimestampPrecision = .nanoseconds) {
        self.kind = kind
        self.precision = precision
    }

    /// What the daemon did before formats existed; the default for every pattern.
    package static let json = PayloadFormat(.json)

    package var description: String { kind.rawValue }

    /// The first topic level of every Sparkplug B message.
    package static let sparkplugNamespace = "spBv1.0"

    /// The format `auto` picks for one message: a topic under `spBv1.0/` is Sparkplug; a
    /// payload whose first non-blank byte is `{`, `[`, a digit, `-`, `+` or `.` is JSON (or a
    /// bare number); anything else is line protocol, whose measurement names start otherwise.
    package static func detect(topic: String, payload: UnsafeRawBufferPointer) -> Kind {
        if topic.utf8.starts(with: sparkplugNamespace.utf8), topic.utf8.dropFirst(sparkplugNamespace.utf8.count).first == UInt8(ascii: "/") {
            return .sparkplug
        }
        for byte in payload {
            switch byte {
            case 0x20, 0x09, 0x0A, 0x0D: continue
            case UInt8(ascii: "{"), UInt8(ascii: "["), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."),
                 UInt8(ascii: "0")...UInt8(ascii: "9"):
                return .json
            default:
                return .influx
            }
        }
        return .json
    }
}

/// The unit of an integer timestamp in line protocol.
package enum TimestampPrecision: String, Sendable, Hashable, CaseIterable {
    case nanoseconds = "ns", microseconds = "us", milliseconds = "ms", seconds = "s"

    /// How many of this unit make one millisecond (divisor), or how many milliseconds one of
    /// this unit is (multiplier): readings are kept in whole milliseconds.
    var perMillisecond: Int64 {
        switch self {
        case .nanoseconds: 1_000_000
        case .microseconds: 1_000
        case .milliseconds, .seconds: 1
        }
    }
}

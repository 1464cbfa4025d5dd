import TinsenseCore

/// What one Sparkplug metric says as a reading value.
package enum SparkplugValue: Sendable, Equatable {
    case number(DecimalValue)
    /// `is_null`, a NaN or an infinity, with the text seen; validation rejects it as `nan`.
    case notANumber(String)
}

extension SparkplugMetric {
    /// The declared data type, or nil for a code outside the specification.
    var dataType: SparkplugDataType? { hasDatatype ? SparkplugDataType(rawValue: Int(datatype)) : nil }

    /// The metric's value as a decimal number, following Sparkplug's encoding: signed integers
    /// travel as two's complement in `int_value`/`long_value`, so the datatype decides the sign.
    /// Booleans read as 0 and 1. Strings, bytes, data sets, templates, arrays and dates are
    /// not numbers; they come back as a failure naming the type.
    func readingValue(declaredType: SparkplugDataType?) -> Result<SparkplugValue, DecodeFailure> {
        if hasIsNull, isNull { return .success(.notANumber("null")) }
        let type = dataType ?? declaredType
        guard let value else {
            return .failure(.init(.malformed, "metric carries no value"))
        }
        switch value {
        case .intValue(let raw):
            switch type {
            case .int8?: return .success(.number(DecimalValue(mantissa: Int64(Int8(truncatingIfNeeded: raw)), scale: 0)))
            case .int16?: return .success(.number(DecimalValue(mantissa: Int64(Int16(truncatingIfNeeded: raw)), scale: 0)))
            case .int32?: return .success(.number(DecimalValue(mantissa: Int64(Int32(bitPattern: raw)), scale: 0)))
            default: return .success(.number(DecimalValue(mantissa: Int64(raw), scale: 0)))
            }
        case .longValue(let raw):
            switch type {
            case .int64?, .int8?, .int16?, .int32?:
                return .success(.number(DecimalValue(mantissa: Int64(bitPattern: raw), scale: 0)))
            case .dateTime?:
                return .failure(.init(.notNumeric, "datatype DateTime is not a measurement"))
            default:
                guard raw <= UInt64(Int64.max) else {
                    return .failure(.init(.badValue, "unsigned value \(raw) does not fit a decimal mantissa"))
                }
                return .success(.number(DecimalValue(mantissa: Int64(raw), scale: 0)))
            }
        case .floatValue(let f):
            return Self.decimal(shortest: f.isFinite ? f.description : nil, raw: "\(f)")
        case .doubleValue(let d):
            return Self.decimal(shortest: d.isFinite ? d.description : nil, raw: "\(d)")
        case .booleanValue(let b):
            return .success(.number(DecimalValue(mantissa: b ? 1 : 0, scale: 0)))
        case .stringValue:
            return .failure(.init(.notNumeric, "datatype \(type.map { "\($0)" } ?? "String") is not a number"))
        case .bytesValue:
            return .failure(.init(.notNumeric, "bytes are not a number"))
        case .datasetValue:
            return .failure(.init(.notNumeric, "a DataSet is not one number"))
        case .templateValue:
            return .failure(.init(.notNumeric, "a Template is not one number"))
        case .extensionValue:
            return .failure(.init(.notNumeric, "an extension value is not a number"))
        }
    }

    /// Floats keep their shortest round-trip text (`Float(7.14)` reads as 7.14, not
    /// 7.139999866), the digits the device meant; a whole number reads without Swift's `.0`
    /// (4, not 4.0: no resolution the device did not send).
    private static func decimal(shortest: String?, raw: String) -> Result<SparkplugValue, DecodeFailure> {
        guard var shortest else { return .success(.notANumber(raw)) }
        if shortest.hasSuffix(".0") { shortest.removeLast(2) }
        guard let decimal = DecimalValue(shortest) else {
            return .failure(.init(.badValue, "\(raw) does not fit a decimal of 18 digits"))
        }
        return .success(.number(decimal))
    }

    /// The Sparkplug `Quality` property (0 BAD, 192 GOOD, 500 STALE); nil when absent.
    /// Any other code is read as `uncertain`: the specification defines only those three.
    var quality: Quality? {
        guard let property = property(named: SparkplugPropertyName.quality) else { return nil }
        let code: UInt64
        switch property.value {
        case .intValue(let v)?: code = UInt64(v)
        case .longValue(let v)?: code = v
        default: return .uncertain
        }
        switch code {
        case 0: return .bad
        case 192: return .good
        case 500: return .stale
        default: return .uncertain
        }
    }

    /// The engineering unit from the `engUnit` property (Ignition's name), if a string.
    var engineeringUnit: String? {
        guard case .stringValue(let unit)? = property(named: SparkplugPropertyName.engineeringUnit)?.value, !unit.isEmpty else { return nil }
        return unit
    }

    private func property(named key: String) -> Org_Eclipse_Tahu_Protobuf_Payload.PropertyValue? {
        guard hasProperties else { return nil }
        let set = properties
        guard let index = set.keys.firstIndex(of: key), index < set.values.count else { return nil }
        return set.values[index]
    }
}

/// Property and metric names the Sparkplug specification (or Ignition, its main host) fixes.
package enum SparkplugPropertyName {
    package static let quality = "Quality"
    package static let engineeringUnit = "engUnit"
    /// NBIRTH/NDEATH's birth-death sequence number metric.
    package static let bdSeq = "bdSeq"
    /// Control metrics (`Node Control/Rebirth`, `Device Control/...`) are commands, not readings.
    package static let controlPrefixes = ["Node Control/", "Device Control/"]
}

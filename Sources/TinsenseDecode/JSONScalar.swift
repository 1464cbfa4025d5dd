import TinsenseCore

/// A scalar JSON value with number text kept verbatim: both decoder paths reduce an object to
/// `ItemFields` and hand it to `ItemInterpreter`, so they cannot disagree on meaning.
enum JSONScalar: Equatable {
    /// A bare number token (or `NaN`/`Infinity`, which some devices send unquoted), verbatim.
    case number(String)
    /// A number token already parsed by the scanner: no exponent, within `DecimalValue`, not a
    /// negative zero — so its text is exactly `description` (JSON has no leading zeros or `+`),
    /// and an integer token is exactly one of scale 0. Why: making a `String` of each token and
    /// parsing it again in `ItemInterpreter` was a third of decoding a reading.
    case decimal(DecimalValue)
    case string(String)
    case bool(Bool)
    case null
    /// An object or array where a scalar was expected.
    case nested

    /// A number token, whichever way it was kept.
    var isNumber: Bool {
        switch self {
        case .number, .decimal: true
        default: false
        }
    }
}

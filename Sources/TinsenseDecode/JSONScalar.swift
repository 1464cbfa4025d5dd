/// A scalar JSON value with number text kept verbatim: both decoder paths reduce an object to
/// `ItemFields` and hand it to `ItemInterpreter`, so they cannot disagree on meaning.
enum JSONScalar: Equatable {
    /// A bare number token (or `NaN`/`Infinity`, which some devices send unquoted), verbatim.
    case number(String)
    case string(String)
    case bool(Bool)
    case null
    /// An object or array where a scalar was expected.
    case nested
}

/// Decode-test helpers: decode a text and pick out the one item or failure.
import TinsenseCore
import TinsenseDecode

func decode(_ text: String, limits: DecodeLimits = DecodeLimits()) -> PayloadDecoder.Outcome {
    PayloadDecoder.decode(Array(text.utf8), limits: limits)
}

func decode(_ text: String, path: PayloadDecoder.Path?, limits: DecodeLimits = DecodeLimits()) -> (PayloadDecoder.Outcome, PayloadDecoder.Path) {
    Array(text.utf8).withUnsafeBytes { PayloadDecoder.decode($0, limits: limits, path: path) }
}

/// The single item of a one-item outcome, or nil.
func single(_ outcome: PayloadDecoder.Outcome) -> Result<DecodedItem, DecodeFailure>? {
    guard case .items(let items) = outcome, items.count == 1 else { return nil }
    return items[0]
}

func item(_ text: String) -> DecodedItem? {
    guard case .success(let i)? = single(decode(text)) else { return nil }
    return i
}

func itemFailure(_ text: String) -> DecodeFailure? {
    guard case .failure(let f)? = single(decode(text)) else { return nil }
    return f
}

func payloadFailure(_ text: String, limits: DecodeLimits = DecodeLimits()) -> DecodeFailure? {
    guard case .failure(let f) = decode(text, limits: limits) else { return nil }
    return f
}

func number(_ text: String) -> DecodedItem.Value { .number(DecimalValue(text)!) }

func ms(_ rfc3339: String) -> Timestamp { RFC3339.parse(rfc3339)! }

import TinsenseCore
import TinsenseDecode

/// Line-protocol test helpers.
func lp(_ text: String, precision: TimestampPrecision = .nanoseconds, limits: DecodeLimits = DecodeLimits()) -> PayloadDecoder.Outcome {
    LineProtocolDecoder.decode(Array(text.utf8), precision: precision, limits: limits)
}

func lpResults(_ text: String, precision: TimestampPrecision = .nanoseconds, limits: DecodeLimits = DecodeLimits()) -> [Result<DecodedItem, DecodeFailure>] {
    guard case .items(let results) = lp(text, precision: precision, limits: limits) else { return [] }
    return results
}

func lpItems(_ text: String, precision: TimestampPrecision = .nanoseconds) -> [DecodedItem] {
    lpResults(text, precision: precision).compactMap { try? $0.get() }
}

func lpFailures(_ text: String) -> [DecodeFailure] {
    lpResults(text).compactMap { if case .failure(let f) = $0 { f } else { nil } }
}

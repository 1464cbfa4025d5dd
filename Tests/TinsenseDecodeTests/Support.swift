import TinsenseCore
import TinsenseDecode

/// SplitMix64: a tiny seeded generator so generated payloads are the same on every run.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }
    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &self) < p }
    mutating func pick<T>(_ options: [T]) -> T { options[int(0...(options.count - 1))] }
}

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

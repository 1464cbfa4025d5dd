/// The fields of one payload object that `ItemInterpreter` reads, by name; every other key is
/// dropped. Both decoder paths build one per object.
///
/// Why not `[String: JSONScalar]`: a dictionary per message (allocation, hashing, growth) cost
/// more than the rest of decoding. Semantics are a dictionary's: a key given twice keeps its
/// last value.
struct ItemFields: Equatable, ExpressibleByDictionaryLiteral {
    var value: JSONScalar?
    var ts: JSONScalar?
    var timestamp: JSONScalar?
    var time: JSONScalar?
    var unit: JSONScalar?
    var quality: JSONScalar?

    init() {}

    init(dictionaryLiteral elements: (String, JSONScalar)...) {
        for (k, v) in elements { set(k, v) }
    }

    /// Records `value` under `key` (replacing an earlier one); ignores keys nobody reads.
    mutating func set(_ key: String, _ scalar: JSONScalar) {
        switch key {
        case "value": value = scalar
        case "ts": ts = scalar
        case "timestamp": timestamp = scalar
        case "time": time = scalar
        case "unit": unit = scalar
        case "quality": quality = scalar
        default: break
        }
    }

    /// `set` for an ASCII key still in the payload's bytes (the scanner's case): for ASCII,
    /// equal bytes mean equal strings, and no String is made for a key.
    mutating func set(asciiKey key: UnsafeRawBufferPointer, _ scalar: JSONScalar) {
        func named(_ name: StaticString) -> Bool {
            key.count == name.utf8CodeUnitCount && key.elementsEqual(UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        }
        switch key.count {
        case 2 where named("ts"): ts = scalar
        case 4 where named("unit"): unit = scalar
        case 4 where named("time"): time = scalar
        case 5 where named("value"): value = scalar
        case 7 where named("quality"): quality = scalar
        case 9 where named("timestamp"): timestamp = scalar
        default: break
        }
    }
}

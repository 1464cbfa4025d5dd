import FuzzSupport
import TinsenseCore
import TinsenseDecode

/// Payload bytes → `LineProtocolDecoder`. Properties beyond "never crashes":
/// - a message never yields more items than `max_batch`;
/// - lines are independent: decoding each line alone gives exactly the items (and, line number
///   aside, the refusals) that line gave inside the whole message, so a bad line can only ever
///   cost its own items;
/// - every item has a metric `measurement/field`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLineProtocol(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: count == 0 ? nil : start, count: count)
    let limits = DecodeLimits(maxPayloadBytes: 1 << 20, maxBatch: 64)
    let whole = LineProtocolDecoder.decode(bytes, precision: .nanoseconds, limits: limits)
    var decoder = MessageDecoder(limits: limits)
    _ = decoder.decode(topic: "fuzz/lp", payload: bytes, format: PayloadFormat(.auto), receiveTime: Timestamp(millisecondsSinceEpoch: 0))
    guard case .items(let results) = whole else { return 0 }
    fuzzCheck(results.count <= limits.maxBatch, "\(results.count) items beyond max_batch \(limits.maxBatch)")
    for case .success(let item) in results {
        // On UTF-8 bytes: a field key that starts with a combining mark (U+0323) joins the "/" into
        // one grapheme, so `String.contains("/")` (Characters) missed it (crash-395ab80a).
        fuzzCheck(item.metric?.utf8.contains(UInt8(ascii: "/")) == true, "item without measurement/field metric: \(item)")
    }
    var alone: [Result<DecodedItem, DecodeFailure>] = []
    var lineStart = 0
    var number = 0
    while lineStart <= count {
        number += 1
        var end = lineStart
        while end < count, bytes[end] != 0x0A { end += 1 }
        let line = UnsafeRawBufferPointer(rebasing: bytes[lineStart..<end])
        if case .items(let own) = LineProtocolDecoder.decode(line, precision: .nanoseconds, limits: limits) {
            alone += own.map { result in
                result.mapError { f in
                    DecodeFailure(f.reason, f.detail.hasPrefix("line 1: ") ? "line \(number): " + f.detail.dropFirst(8) : f.detail)
                }
            }
        }
        lineStart = end + 1
    }
    fuzzCheck(alone == results, "lines decoded alone differ from the message: \(alone) vs \(results)")
    return 0
}

/// The entry point SwiftPM links as `main` (see CLibFuzzer.h).
@_cdecl("FuzzLineProtocol_main")
public func fuzzLineProtocolMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv) { data, size in fuzzLineProtocol(data.map(UnsafeRawPointer.init), size) }
}

import Foundation
import FuzzSupport
import TinsenseCore
import TinsenseDecode

/// Payload bytes → `PayloadDecoder`. Properties beyond "never crashes":
/// - the fast scanner and the Foundation path agree whenever the scanner takes a payload;
/// - differential against Foundation's JSONSerialization: where it parses a flat object whose
///   `value` is a number, the decoder gives one item that is that number (to double
///   precision) or rejects it with a reason code.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPayloadDecoder(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: count == 0 ? nil : start, count: count)
    let (outcome, path) = PayloadDecoder.decode(bytes, limits: DecodeLimits(), path: nil)
    if path == .scanner, !bytes.isEmpty, count <= DecodeLimits().maxPayloadBytes {
        let (viaFoundation, _) = PayloadDecoder.decode(bytes, limits: DecodeLimits(), path: .foundation)
        fuzzCheck(viaFoundation == outcome, "scanner and Foundation disagree: \(outcome) vs \(viaFoundation)")
    }
    guard let object = foundationFlatNumber(bytes) else { return 0 }
    switch outcome {
    case .failure:
        break  // rejected as a whole with a reason: allowed
    case .items(let items):
        fuzzCheck(items.count == 1, "one flat object gave \(items.count) items")
        if case .success(let item) = items[0], case .number(let d) = item.value {
            let got = d.doubleValue
            let tolerance = max(abs(object), 1e-300) * 1e-9
            fuzzCheck(abs(got - object) <= tolerance, "value \(d) decoded, Foundation says \(object)")
        }
    }
    return 0
}

/// The `value` of a flat JSON object as Foundation reads it, when it is a finite number.
func foundationFlatNumber(_ bytes: UnsafeRawBufferPointer) -> Double? {
    guard bytes.contains(UInt8(ascii: "{")) else { return nil }
    guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else { return nil }
    for v in object.values where v is [Any] || v is [String: Any] { return nil }
    // A boolean comes back as an NSNumber too (1 or 0): the decoder may reject it, which is allowed.
    guard let number = object["value"] as? NSNumber else { return nil }
    let d = number.doubleValue
    return d.isFinite ? d : nil
}

/// The entry point SwiftPM links as `main` (see CLibFuzzer.h).
@_cdecl("FuzzPayloadDecoder_main")
public func fuzzPayloadDecoderMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv) { data, size in fuzzPayloadDecoder(data.map(UnsafeRawPointer.init), size) }
}

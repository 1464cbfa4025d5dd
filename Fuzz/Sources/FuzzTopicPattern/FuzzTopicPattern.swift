import FuzzSupport
import TinsenseValidate

/// Input: `pattern NUL topic` (no NUL: the input is both). `TopicPattern` must accept or
/// reject any pattern text without trapping, and a match must be consistent: every capture
/// is named by the pattern, and a concrete pattern matches exactly its own text.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTopicPattern(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: count == 0 ? nil : start, count: count)
    let split = bytes.firstIndex(of: 0) ?? bytes.count
    let patternText = String(decoding: bytes[0..<split], as: UTF8.self)
    let topic = split < bytes.count ? String(decoding: bytes[(split + 1)...], as: UTF8.self) : patternText
    guard let pattern = try? TopicPattern(patternText) else { return 0 }
    _ = pattern.subscriptionFilter
    if let captures = pattern.match(topic) {
        let names = Set(pattern.captureNames)
        fuzzCheck(Set(captures.keys).isSubset(of: names), "captures \(captures.keys) not named by \(patternText)")
        if pattern.isConcrete { fuzzCheck(topic == patternText, "concrete pattern \(patternText) matched \(topic)") }
    }
    if pattern.isConcrete { fuzzCheck(pattern.match(patternText) != nil, "concrete pattern \(patternText) does not match itself") }
    return 0
}

/// The entry point SwiftPM links as `main` (see CLibFuzzer.h).
@_cdecl("FuzzTopicPattern_main")
public func fuzzTopicPatternMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv) { data, size in fuzzTopicPattern(data.map(UnsafeRawPointer.init), size) }
}

import FuzzSupport
import TinsenseConfig

/// TOML text → `Config` or `ConfigError`; never a trap (finding 5: `nan`, `inf` and `1e300`
/// in numeric keys trapped in conversions).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfigLoader(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: count == 0 ? nil : start, count: count)
    let text = String(decoding: bytes, as: UTF8.self)
    do {
        _ = try ConfigLoader.parse(text, file: "fuzz.toml")
    } catch {
        fuzzCheck(!error.description.isEmpty, "a ConfigError without a message")
    }
    return 0
}

/// The entry point SwiftPM links as `main` (see CLibFuzzer.h).
@_cdecl("FuzzConfigLoader_main")
public func fuzzConfigLoaderMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv) { data, size in fuzzConfigLoader(data.map(UnsafeRawPointer.init), size) }
}

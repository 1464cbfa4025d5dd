import FuzzSupport
import TinsenseEncoding

/// Chunk bytes → `ChunkColumns` or `ChunkDecodingError`, never a trap. What decodes is
/// self-consistent: every column has one entry per sample and every meta index points into
/// the meta table (readers index with them unchecked).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzChunkDecoder(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: count == 0 ? nil : start, count: count)
    _ = try? ChunkDecoder.layout(bytes)
    guard let c = try? ChunkDecoder.decode(bytes) else { return 0 }
    let n = c.sourceTimes.count
    fuzzCheck(c.receiveTimes.count == n && c.mantissas.count == n && c.scales.count == n && c.metaIndexes.count == n,
              "columns of unequal length for \(n) samples")
    fuzzCheck(c.metaIndexes.allSatisfy { Int($0) < c.metas.count }, "a meta index beyond \(c.metas.count) metas")
    return 0
}

/// The entry point SwiftPM links as `main` (see CLibFuzzer.h).
@_cdecl("FuzzChunkDecoder_main")
public func fuzzChunkDecoderMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv) { data, size in fuzzChunkDecoder(data.map(UnsafeRawPointer.init), size) }
}

import CZstd

/// The general-purpose stage: libzstd one-shot compression of large structure sections
/// (scale and metadata runs of irregular series, varint deltas of long short-cadence
/// chunks) and of the segment index, kept only when smaller (`ChunkEncoder.pack`). Value
/// columns use the rANS coder instead (RANS.swift says why).
public enum Zstd {
    /// Compresses `input` and appends the frame to `sink`; returns the frame's size.
    @discardableResult
    public static func compress(_ input: UnsafeRawBufferPointer, level: Int32, into sink: inout ByteSink) -> Int {
        let bound = ZSTD_compressBound(input.count)
        return sink.withUnsafeSpareCapacity(minimum: bound) { spare in
            let n = ZSTD_compress(spare.baseAddress, spare.count, input.baseAddress, input.count, level)
            // ZSTD_compress can only fail for a too-small destination, excluded by the bound.
            precondition(ZSTD_isError(n) == 0, "ZSTD_compress: \(String(cString: ZSTD_getErrorName(n)))")
            return (n, n)
        }
    }

    /// Decompresses one frame whose decompressed size must be exactly `expectedSize`.
    public static func decompress(_ input: UnsafeRawBufferPointer, expectedSize: Int, into output: UnsafeMutableRawBufferPointer) throws(ChunkDecodingError) {
        guard output.count >= expectedSize else { throw .malformed("output buffer too small") }
        let n = ZSTD_decompress(output.baseAddress, expectedSize, input.baseAddress, input.count)
        guard ZSTD_isError(n) == 0 else {
            throw .malformed("zstd: \(String(cString: ZSTD_getErrorName(n)))")
        }
        guard n == expectedSize else { throw .malformed("zstd produced \(n) bytes, expected \(expectedSize)") }
    }
}

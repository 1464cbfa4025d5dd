import Foundation
import FuzzSupport
import TinsenseEncoding

/// Chunks written by `ChunkEncoder` in its different layouts: regular and jittered times,
/// steady and noisy values, few and many distinct texts, with and without units.
@_cdecl("LLVMFuzzerInitialize")
public func initializeChunkDecoder(_ argc: UnsafeMutablePointer<CInt>?, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?) -> CInt {
    writeGeneratedSeeds {
        var seeds: [(name: String, bytes: [UInt8])] = []
        for shape in 0..<8 {
            let n = [1, 2, 17, 120, 300, 64, 9, 1000][shape]
            var source: [Int64] = [], receive: [Int64] = [], mantissas: [Int64] = [], scales: [UInt8] = [], metaIndexes: [UInt32] = []
            var t: Int64 = 1_790_000_000_000
            for i in 0..<n {
                t += shape % 2 == 0 ? 1_000 : Int64(900 + (i * 37) % 250)
                source.append(t)
                receive.append(t + Int64((i * 13) % (shape + 2)))
                mantissas.append(shape < 4 ? Int64(714 + i % 3) : Int64((i &* 7919) % 200_000 - 100_000))
                scales.append(UInt8(shape % 3 == 2 ? i % 4 : 2))
                metaIndexes.append(UInt32(shape >= 5 ? i % 3 : 0))
            }
            let metas = shape >= 5
                ? [SampleMeta(quality: 0, flags: 0, unit: "Cel"), SampleMeta(quality: 1, flags: 2, unit: nil), SampleMeta(quality: 0, flags: 0, unit: "m3/h")]
                : [SampleMeta(quality: 0, flags: 0, unit: shape == 1 ? "[pH]" : nil)]
            let columns = ChunkColumns(sourceTimes: source, receiveTimes: receive, mantissas: mantissas, scales: scales,
                                       metaIndexes: metaIndexes, metas: metas)
            seeds.append(("generated-chunk-\(shape)", ChunkEncoder.encode(columns)))
        }
        return seeds
    }
    return 0
}

import Foundation
import FuzzSupport
import Logging
import TinsenseCore
@testable import TinsenseStorage

/// Real segments written by `SegmentStore`: a whole file (mode byte 1), and each record body
/// and the index section (mode byte 0).
@_cdecl("LLVMFuzzerInitialize")
public func initializeSegmentReader(_ argc: UnsafeMutablePointer<CInt>?, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?) -> CInt {
    writeGeneratedSeeds {
        let dir = FuzzScratch.directory("segment-seeds")
        FuzzScratch.empty(dir)
        let logger = Logger(label: "fuzz") { _ in SwiftLogNoOpLogHandler() }
        let wal = try WriteAheadLog(directory: dir, maxFileBytes: 1 << 20, logger: logger)
        let store = try SegmentStore(directory: dir, options: StorageOptions(sealIntervalMs: 0), wal: wal, logger: logger)
        var end: WALPosition?
        for i in 0..<40 {
            for (k, sensor) in ["line1/ph", "line1/flow", "crusher/2 temp", "é/锡"].enumerated() {
                let t = Timestamp(millisecondsSinceEpoch: 1_790_000_000_000 + Int64(i) * (k == 3 ? 1_337 : 1_000))
                let value = DecimalValue(["7.14", "-0.50", "1200", "3.000001"][k])!
                let r = Reading(sensor: sensor, sourceTime: t, receiveTime: t.adding(milliseconds: Int64(i % 5)), value: value,
                                unit: k == 1 ? "m3/h" : (i % 7 == 0 ? "u\(i)" : nil), quality: i % 11 == 0 ? .uncertain : .good)
                end = try wal.append(WALRecord(receiveTime: t, qos: 1, topic: Array(sensor.utf8), payload: Array(value.description.utf8)))
                _ = try store.append(r)
            }
        }
        try store.sealNow(processedThrough: end, now: Timestamp(millisecondsSinceEpoch: 1_790_000_100_000))
        var seeds: [(name: String, bytes: [UInt8])] = []
        for (n, path) in store.segmentPaths.enumerated() {
            let bytes = [UInt8](FileManager.default.contents(atPath: path)!)
            seeds.append(("generated-file-\(n)", [1] + bytes))
            let file = try SegmentFile(path: path)
            for (r, ref) in file.index.records.enumerated() {
                let start = Int(ref.offset) + SegmentFormat.recordHeaderSize, stop = Int(ref.offset) + Int(ref.length)
                seeds.append(("generated-record-\(n)-\(r)", [0] + Array(bytes[start..<stop])))
            }
            seeds.append(("generated-index-\(n)", [0] + Array(bytes[Int(file.indexOffset)..<(bytes.count - SegmentFormat.footerSize)])))
        }
        return seeds
    }
    return 0
}

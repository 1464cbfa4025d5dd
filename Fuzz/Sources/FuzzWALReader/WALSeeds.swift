import Foundation
import FuzzSupport
import Logging
import TinsenseCore
@testable import TinsenseStorage

/// A real WAL file written by `WriteAheadLog` (mode byte 1), its bodies (mode 0) and the
/// bodies as a framed list (mode 2).
@_cdecl("LLVMFuzzerInitialize")
public func initializeWALReader(_ argc: UnsafeMutablePointer<CInt>?, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?) -> CInt {
    writeGeneratedSeeds {
        let dir = FuzzScratch.directory("wal-seeds")
        FuzzScratch.empty(dir)
        let logger = Logger(label: "fuzz") { _ in SwiftLogNoOpLogHandler() }
        let wal = try WriteAheadLog(directory: dir, maxFileBytes: 1 << 20, logger: logger)
        let messages: [(String, String)] = [
            ("plant/line1/ph", #"{"value":7.14,"ts":"2026-11-27T03:37:11.250Z","unit":"[pH]","quality":"good"}"#),
            ("plant/line1/flow", "42"),
            ("plant/crusher/2", #"[{"value":1,"ts":1790000000000},{"value":2.50,"ts":1790000001000}]"#),
            ("plant/é/锡", ""),
        ]
        var bodies: [[UInt8]] = []
        for (i, (topic, payload)) in messages.enumerated() {
            // Every field of a kind 2 record takes a value other than its default in some seed.
            let record = WALRecord(receiveTime: Timestamp(millisecondsSinceEpoch: 1_790_000_000_000 + Int64(i)), qos: UInt8(i % 2),
                                   topic: Array(topic.utf8), payload: Array(payload.utf8),
                                   retained: i == 1, packetID: UInt16(i * 257), connection: UInt32(i), payloadBytes: payload.utf8.count + (i == 2 ? 9 : 0))
            try wal.append(record)
            var framed: [UInt8] = []
            topic.utf8.withContiguousStorageIfAvailable { t in
                payload.utf8.withContiguousStorageIfAvailable { p in
                    let delivery = WALDelivery(receiveTime: record.receiveTime, qos: record.qos, retained: record.retained,
                                               packetID: record.packetID, connection: record.connection, payloadBytes: record.payloadBytes)
                    WALFormat.encode(delivery, topic: UnsafeRawBufferPointer(t), payload: UnsafeRawBufferPointer(p), into: &framed)
                }
            }
            bodies.append(Array(framed[WALFormat.recordHeaderSize...]))
        }
        try wal.close()
        var seeds: [(name: String, bytes: [UInt8])] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: dir + "/wal").sorted() {
            seeds.append(("generated-file-\(name)", [1] + [UInt8](FileManager.default.contents(atPath: dir + "/wal/" + name)!)))
        }
        var list: [UInt8] = [2]
        for (i, body) in bodies.enumerated() {
            seeds.append(("generated-body-\(i)", [0] + body))
            list += [UInt8(body.count & 0xFF), UInt8(body.count >> 8)] + body
        }
        seeds.append(("generated-list", list))
        return seeds
    }
    return 0
}

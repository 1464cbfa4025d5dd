import Foundation
import TinsenseCore
import TinsenseReplay
import TinsenseStorage
import TinsenseTestSupport

/// Recordings written the way `tinsense record` writes them (a `WriteAheadLog` on the
/// recording directory), with known contents.
enum RecordingFixtures {
    /// `count` messages, `gapMs` apart from `start`, on ten topics, in files of about `fileBytes`.
    static func records(count: Int, start: Int64 = 1_700_000_000_000, gapMs: Int64 = 100) -> [WALRecord] {
        (0..<count).map { k in
            let t = start + Int64(k) * gapMs
            let payload = #"{"ts":\#(t),"value":\#(k % 97).\#(k % 10)}"#
            return WALRecord(receiveTime: Timestamp(millisecondsSinceEpoch: t), qos: 1, topic: Array("plant/line\(k % 2)/s\(k % 10)".utf8),
                             payload: Array(payload.utf8), retained: k % 50 == 0, packetID: UInt16(k % 60_000 + 1), connection: 7)
        }
    }

    @discardableResult
    static func write(_ records: [WALRecord], to directory: String, fileBytes: Int = 4096) throws -> Recording {
        let wal = try WriteAheadLog(directory: directory, maxFileBytes: fileBytes, logger: quietLogger)
        for r in records { try wal.append(r) }
        try wal.close()
        return Recording(directory: directory)
    }
}

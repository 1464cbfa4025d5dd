import Foundation
import Logging
import TinsenseCore
@testable import TinsenseStorage

/// A fresh directory under the system temp dir, removed when the test is done.
final class TemporaryDirectory {
    let path: String

    init(_ label: String = "tinsense-storage") {
        let base = FileManager.default.temporaryDirectory.path
        path = base + "/\(label)-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

let quietLogger: Logger = {
    var l = Logger(label: "tinsense.storage.tests")
    l.logLevel = .critical
    return l
}()

func reading(_ sensor: String, _ t: Int64, _ value: String, receive: Int64? = nil, unit: String? = nil,
             quality: Quality = .good, flags: ReadingFlags = []) -> Reading {
    Reading(sensor: sensor, sourceTime: Timestamp(millisecondsSinceEpoch: t),
            receiveTime: Timestamp(millisecondsSinceEpoch: receive ?? t), value: DecimalValue(value)!,
            unit: unit, quality: quality, flags: flags)
}

func allReadings(_ dir: String) throws -> [Reading] {
    Array(try DataDirectory(path: dir).readings())
}

func fileBytes(_ path: String) -> [UInt8] {
    [UInt8](FileManager.default.contents(atPath: path)!)
}

func writeBytes(_ bytes: [UInt8], to path: String) {
    _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
}

/// Copies a directory tree (a crash snapshot).
func copyTree(_ from: String, to: String) {
    try! FileManager.default.copyItem(atPath: from, toPath: to)
}

func listFiles(_ dir: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
}

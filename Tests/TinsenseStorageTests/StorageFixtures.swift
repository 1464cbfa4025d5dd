/// Storage-test helpers: readings in one line, and whole-file reads and writes for
/// corruption tests. Scratch directories and the quiet logger come from TinsenseTestSupport.
import Foundation
import TinsenseCore
@testable import TinsenseStorage

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

import Foundation
import Testing
import TinsenseCore
import TinsenseTestSupport
@testable import TinsenseStorage

/// Issue 9, finding 6: the quarantine log is bounded on disk and rotates without losing or
/// (on replay) repeating a line.
@Suite("Quarantine log rotation")
struct QuarantineRotationTests {
    static let receive = Timestamp(millisecondsSinceEpoch: 1_795_750_631_250)

    @discardableResult
    static func add(_ log: QuarantineLog, _ n: Int) throws -> Bool {
        try Array("{\"value\":\(n)}".utf8).withUnsafeBytes {
            try log.append(receiveTime: receive, topic: "rel/a/b", sensor: "a/b", reason: .outOfRange, detail: "reading \(n)",
                           payload: $0, item: 0, wal: WALPosition(file: 1, offset: UInt64(n + 1) * 100))
        }
    }

    static func files(_ dir: TemporaryDirectory) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: dir.path + "/quarantine"))?.sorted() ?? []
    }

    /// Every line of every quarantine file, oldest file first, as the `detail` it carries.
    static func details(_ dir: TemporaryDirectory) throws -> [String] {
        let live = dir.path + "/quarantine/quarantine.jsonl"
        var paths = [live]
        var i = 1
        while FileManager.default.fileExists(atPath: "\(live).\(i)") {
            paths.insert("\(live).\(i)", at: 0)
            i += 1
        }
        return try paths.flatMap { p throws -> [String] in
            try String(decoding: FileManager.default.contents(atPath: p) ?? Data(), as: UTF8.self).split(separator: "\n").map {
                try JSONDecoder().decode(QuarantineEntry.self, from: Data($0.utf8)).detail
            }
        }
    }

    @Test("rotation by size keeps every line, each file under the bound, in order")
    func keepsEveryLine() throws {
        let dir = TemporaryDirectory("q-rotate")
        let log = try QuarantineLog(dataDirectory: dir.path, maxBytes: 4096, keep: 1000, logger: quietLogger)
        for n in 0..<1000 { #expect(try Self.add(log, n)) }
        let names = Self.files(dir)
        #expect(names.count > 10)
        for name in names {
            let size = (try FileManager.default.attributesOfItem(atPath: dir.path + "/quarantine/" + name)[.size] as? Int) ?? 0
            #expect(size <= 4096)
        }
        #expect(try Self.details(dir) == (0..<1000).map { "reading \($0)" })
    }

    @Test("only `keep` rotated files are kept")
    func keepsBound() throws {
        let dir = TemporaryDirectory("q-keep")
        let log = try QuarantineLog(dataDirectory: dir.path, maxBytes: 4096, keep: 2, logger: quietLogger)
        for n in 0..<1000 { try Self.add(log, n) }
        #expect(Self.files(dir) == ["quarantine.jsonl", "quarantine.jsonl.1", "quarantine.jsonl.2"])
        #expect(try Self.details(dir).last == "reading 999")
    }

    @Test("replay after rotation adds no duplicate, also when the live file is empty after a crash mid-rotation")
    func replayAfterRotation() throws {
        let dir = TemporaryDirectory("q-replay")
        do {
            let log = try QuarantineLog(dataDirectory: dir.path, maxBytes: 4096, keep: 1000, logger: quietLogger)
            for n in 0..<500 { try Self.add(log, n) }
        }
        do {
            let log = try QuarantineLog(dataDirectory: dir.path, maxBytes: 4096, keep: 1000, logger: quietLogger)
            for n in 0..<500 { #expect(try !Self.add(log, n), "replayed line \(n) written again") }
            for n in 500..<600 { #expect(try Self.add(log, n)) }
        }
        // A crash right after the rename: the live file exists and is empty.
        let live = dir.path + "/quarantine/quarantine.jsonl"
        var i = 1
        while FileManager.default.fileExists(atPath: "\(live).\(i)") { i += 1 }
        while i > 1 {
            try FileManager.default.moveItem(atPath: "\(live).\(i - 1)", toPath: "\(live).\(i)")
            i -= 1
        }
        try FileManager.default.moveItem(atPath: live, toPath: "\(live).1")
        #expect(FileManager.default.createFile(atPath: live, contents: Data()))
        let log = try QuarantineLog(dataDirectory: dir.path, maxBytes: 4096, keep: 1000, logger: quietLogger)
        for n in 0..<600 { #expect(try !Self.add(log, n), "replayed line \(n) written again") }
        #expect(try Self.details(dir) == (0..<600).map { "reading \($0)" })
    }
}

import Foundation
import Testing
import TinsenseCore
import TinsenseTestSupport
@testable import TinsenseStorage

// Helpers are fileprivate and prefixed: this test target is shared with other suites.

/// Where the quarantine log of a scratch data directory is.
fileprivate extension TemporaryDirectory {
    var logPath: String { path + "/quarantine/quarantine.jsonl" }
}

private let receive = Timestamp(millisecondsSinceEpoch: 1_795_750_631_250)

private func openLog(_ dir: TemporaryDirectory, payloadLimit: Int = 1024) throws -> QuarantineLog {
    try QuarantineLog(dataDirectory: dir.path, payloadLimit: payloadLimit, logger: quietLogger)
}

@discardableResult
private func add(_ log: QuarantineLog, topic: String = "tinmine/p1/x", sensor: String? = nil, reason: RejectReason = .malformed,
                 detail: String = "bad", payload: [UInt8] = Array("{\"value\":true}".utf8), item: Int = 0,
                 wal: WALPosition?) throws -> Bool {
    try payload.withUnsafeBytes {
        try log.append(receiveTime: receive, topic: topic, sensor: sensor, reason: reason, detail: detail, payload: $0, item: item, wal: wal)
    }
}

private func fileText(_ dir: TemporaryDirectory) -> String {
    String(decoding: FileManager.default.contents(atPath: dir.logPath) ?? Data(), as: UTF8.self)
}

/// The log's lines (the file must end with a newline), each parsed as a JSON object.
private func jsonLines(_ dir: TemporaryDirectory) throws -> [[String: Any]] {
    let text = fileText(dir)
    if text.isEmpty { return [] }
    #expect(text.hasSuffix("\n"))
    return try text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map { line in
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8))
        return try #require(object as? [String: Any], "not an object: \(line)")
    }
}

private func wal(_ file: UInt32, _ offset: UInt64) -> WALPosition { WALPosition(file: file, offset: offset) }

@Suite("Quarantine log")
struct QuarantineLogTests {
    @Test("each entry is one line of JSON with the documented fields")
    func documentedFields() throws {
        let dir = TemporaryDirectory("quarantine")
        let log = try openLog(dir)
        try add(log, topic: "tinmine/p1/flotation/c1/cell3/pulp_ph", sensor: "cell3/pulp_ph", reason: .outOfRange,
                detail: "value 15 outside range [0.0, 14.0]", payload: Array("{\"value\":15}".utf8), item: 2, wal: wal(3, 1234))
        try add(log, topic: "nowhere/x", reason: .unknownSensor, detail: "no [[sensor]] pattern matches topic",
                payload: Array("7".utf8), wal: nil)
        let lines = try jsonLines(dir)
        #expect(lines.count == 2)
        let first = lines[0]
        #expect(Set(first.keys) == ["time", "topic", "sensor", "reason", "detail", "payload", "payload_bytes", "truncated", "item", "wal"])
        #expect(first["time"] as? String == "2026-11-27T03:37:11.250Z")
        #expect(first["topic"] as? String == "tinmine/p1/flotation/c1/cell3/pulp_ph")
        #expect(first["sensor"] as? String == "cell3/pulp_ph")
        #expect(first["reason"] as? String == "out_of_range")
        #expect(first["detail"] as? String == "value 15 outside range [0.0, 14.0]")
        #expect(first["payload"] as? String == "{\"value\":15}")
        #expect((first["payload_bytes"] as? NSNumber)?.intValue == 12)
        #expect((first["truncated"] as? NSNumber)?.boolValue == false)
        #expect((first["item"] as? NSNumber)?.intValue == 2)
        #expect(first["wal"] as? String == "00000003:1234")
        let second = lines[1]
        #expect(second["sensor"] == nil)
        #expect(second["wal"] == nil)
        #expect(second["reason"] as? String == "unknown_sensor")
        #expect((second["item"] as? NSNumber)?.intValue == 0)
        // Slashes are not escaped, so `grep` on topics works.
        #expect(fileText(dir).contains("tinmine/p1/flotation"))
        // Every line also decodes back as a QuarantineEntry.
        let decoder = JSONDecoder()
        for line in fileText(dir).split(separator: "\n") {
            _ = try decoder.decode(QuarantineEntry.self, from: Data(line.utf8))
        }
    }

    @Test("payload text with quotes, newlines and control bytes stays on one line")
    func escapingKeepsOneLine() throws {
        let dir = TemporaryDirectory("quarantine")
        let log = try openLog(dir)
        let payload = Array("{\"value\":\"a\nb\"}\r\n\t\u{1}é".utf8)
        try add(log, detail: "line one\nline two \"quoted\"", payload: payload, wal: nil)
        let lines = try jsonLines(dir)
        #expect(lines.count == 1)
        #expect(lines[0]["payload"] as? String == String(decoding: payload, as: UTF8.self))
        #expect(lines[0]["detail"] as? String == "line one\nline two \"quoted\"")
    }

    @Test("a long payload is cut at the limit and flagged truncated, with its full size")
    func truncatedPayload() throws {
        let dir = TemporaryDirectory("quarantine")
        let log = try openLog(dir, payloadLimit: 16)
        let payload = Array(String(repeating: "0123456789", count: 5).utf8)
        try add(log, reason: .tooLarge, payload: payload, wal: nil)
        try add(log, payload: Array("short".utf8), wal: nil)
        let lines = try jsonLines(dir)
        #expect(lines[0]["payload"] as? String == "0123456789012345")
        #expect((lines[0]["payload_bytes"] as? NSNumber)?.intValue == 50)
        #expect((lines[0]["truncated"] as? NSNumber)?.boolValue == true)
        #expect(lines[1]["payload"] as? String == "short")
        #expect((lines[1]["truncated"] as? NSNumber)?.boolValue == false)
    }

    @Test("a payload that is not UTF-8 is kept as base64")
    func binaryPayload() throws {
        let dir = TemporaryDirectory("quarantine")
        let log = try openLog(dir, payloadLimit: 8)
        let payload: [UInt8] = [0xFF, 0xFE, 0x00, 0x80, 0x41, 0xC3, 0x28, 0x01, 0x02, 0x03]
        try add(log, payload: payload, wal: nil)
        let line = try #require(try jsonLines(dir).first)
        #expect(line["payload"] == nil)
        let b64 = try #require(line["payload_base64"] as? String)
        #expect(Data(base64Encoded: b64).map { [UInt8]($0) } == Array(payload.prefix(8)))
        #expect((line["payload_bytes"] as? NSNumber)?.intValue == 10)
        #expect((line["truncated"] as? NSNumber)?.boolValue == true)
    }

    @Test("a partial last line left by a crash is cut on reopen; later lines are valid")
    func partialLastLineCut() throws {
        let dir = TemporaryDirectory("quarantine")
        do {
            let log = try openLog(dir)
            for i in 0..<3 { try add(log, item: i, wal: wal(1, 100)) }
        }
        let complete = fileText(dir)
        for partial in ["{", "{\"time\":\"2026-11-27T03:3", String(complete.split(separator: "\n")[0].dropLast(1))] {
            let handle = try #require(FileHandle(forWritingAtPath: dir.logPath))
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(partial.utf8))
            try handle.close()
            let log = try openLog(dir)
            #expect(fileText(dir) == complete, "partial \(partial)")
            try add(log, reason: .nan, wal: nil)
            let lines = try jsonLines(dir)
            #expect(lines.count == 4)
            #expect(lines[3]["reason"] as? String == "nan")
            // Restore for the next round.
            #expect(FileManager.default.createFile(atPath: dir.logPath, contents: Data(complete.utf8)))
        }
    }

    @Test("a partial last line longer than 64 KiB is cut on reopen too")
    func longPartialLineCut() throws {
        let dir = TemporaryDirectory("quarantine")
        do {
            let log = try openLog(dir, payloadLimit: 200_000)
            try add(log, payload: Array(String(repeating: "a", count: 100).utf8), wal: nil)
        }
        let complete = fileText(dir)
        let handle = try #require(FileHandle(forWritingAtPath: dir.logPath))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(("{\"time\":\"x\",\"payload\":\"" + String(repeating: "b", count: 70_000)).utf8))
        try handle.close()
        let log = try openLog(dir, payloadLimit: 200_000)
        #expect(fileText(dir) == complete)
        try add(log, reason: .nan, wal: nil)
        #expect(try jsonLines(dir).count == 2)
    }

    @Test("a file holding only a partial line is emptied on reopen")
    func onlyPartialLine() throws {
        let dir = TemporaryDirectory("quarantine")
        _ = try openLog(dir)
        #expect(FileManager.default.createFile(atPath: dir.logPath, contents: Data("{\"time\":".utf8)))
        let log = try openLog(dir)
        #expect(fileText(dir).isEmpty)
        try add(log, wal: wal(1, 10))
        #expect(try jsonLines(dir).count == 1)
    }

    @Test("replay: entries at or below the high-water WAL position are skipped, also after reopen")
    func replayIdempotence() throws {
        let dir = TemporaryDirectory("quarantine")
        do {
            let log = try openLog(dir)
            #expect(try add(log, item: 0, wal: wal(1, 100)))
            #expect(try add(log, item: 1, wal: wal(1, 100)))
            #expect(try add(log, item: 0, wal: wal(2, 50)))
            // Same instance: the same (position, item) again is skipped.
            #expect(try add(log, item: 0, wal: wal(2, 50)) == false)
            #expect(try add(log, item: 1, wal: wal(1, 100)) == false)
            // Without a WAL position, entries are always written.
            #expect(try add(log, wal: nil))
        }
        #expect(try jsonLines(dir).count == 4)
        let log = try openLog(dir)
        // The high-water mark survives a restart (the last line with a position is (2:50, 0)).
        #expect(try add(log, item: 0, wal: wal(1, 100)) == false)
        #expect(try add(log, item: 5, wal: wal(1, 999)) == false)
        #expect(try add(log, item: 0, wal: wal(2, 50)) == false)
        #expect(try add(log, item: 1, wal: wal(2, 50)))
        #expect(try add(log, item: 0, wal: wal(3, 8)))
        #expect(try add(log, item: 0, wal: wal(2, 60)) == false)
        let lines = try jsonLines(dir)
        #expect(lines.count == 6)
        #expect(lines.compactMap { $0["wal"] as? String } == ["00000001:100", "00000001:100", "00000002:50", "00000002:50", "00000003:8"])
        try log.sync()
    }

    @Test("an entry cut by a crash is written again on replay")
    func cutEntryRewrittenOnReplay() throws {
        let dir = TemporaryDirectory("quarantine")
        do {
            let log = try openLog(dir)
            try add(log, item: 0, wal: wal(1, 100))
            try add(log, item: 0, wal: wal(1, 200))
        }
        // Crash in the middle of writing the second line.
        let text = fileText(dir)
        let lines = text.split(separator: "\n")
        let torn = String(lines[0]) + "\n" + String(lines[1].prefix(30))
        #expect(FileManager.default.createFile(atPath: dir.logPath, contents: Data(torn.utf8)))
        let log = try openLog(dir)
        #expect(try add(log, item: 0, wal: wal(1, 100)) == false)
        #expect(try add(log, item: 0, wal: wal(1, 200)))
        #expect(fileText(dir) == text)
    }
}

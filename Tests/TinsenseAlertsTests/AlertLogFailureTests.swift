import Foundation
import Testing
import TinsenseTestSupport
@testable import TinsenseAlerts

/// Issue 9, finding 8: a failed alert-log write left half a line and dropped the alert; a
/// crash mid-write glued the next line onto the torn one.
@Suite("alert log on a full disk and after a torn write", .serialized)
struct AlertLogFailureTests {
    func line(_ i: Int, bytes: Int = 100) -> [UInt8] {
        let body = #"{"alert_id":"a\#(i)","pad":""#
        return Array((body + String(repeating: "x", count: max(0, bytes - body.count - 3)) + "\"}\n").utf8)
    }

    @Test("a torn last line is cut on open, so the next line starts on its own line")
    func tornTailRepaired() throws {
        let dir = TemporaryDirectory("alerttorn")
        let path = dir.file("alerts.jsonl")
        let whole = line(1)
        try Data(whole + Array(#"{"alert_id":"a2","pa"#.utf8)).write(to: URL(fileURLWithPath: path))
        let log = try AlertLog(path: path)
        try log.write(line: line(3))
        log.close()
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(bytes == whole + line(3))
    }

    @Test("on a full disk a write leaves no half line and keeps the alert; freed space writes it, in order")
    func fullDiskKeepsTheLine() throws {
        let dir = TemporaryDirectory("alertfull")
        guard let disk = TmpfsMount.mount(at: dir.file("disk"), kilobytes: 64) else {
            print("SKIPPED: mounting a tmpfs is not permitted here (needs root)")
            return
        }
        let path = disk.path + "/alerts.jsonl"
        let log = try AlertLog(path: path)
        try log.write(line: line(1))
        disk.fill()
        // 8 KiB: the first page's spare room takes part of it, then ENOSPC — a torn write.
        #expect(throws: AlertLogError.self) { try log.write(line: line(2, bytes: 8192)) }
        #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: path))) == line(1), "half a line was left in the file")
        #expect(log.pendingLines == 1)
        #expect(throws: AlertLogError.self) { try log.write(line: line(3)) }
        #expect(log.pendingLines == 2)
        disk.free()
        Thread.sleep(forTimeInterval: 0.2)  // past the retry backoff
        try log.sync()
        #expect(log.pendingLines == 0)
        log.close()
        #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: path))) == line(1) + line(2, bytes: 8192) + line(3))
    }
}

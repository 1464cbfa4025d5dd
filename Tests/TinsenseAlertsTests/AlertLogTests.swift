import Foundation
import Testing
import TinsenseCore
import TinsenseTestSupport
@testable import TinsenseAlerts

@Suite("alert log")
struct AlertLogTests {
    func transition(_ i: Int, writer: Int, message: String = "value 4.2 is 7 MADs below the rolling median") -> AlertTransition {
        AlertTransition(
            kind: i % 2 == 0 ? .firing : .resolved, time: Timestamp(millisecondsSinceEpoch: 1_700_000_000_000 + Int64(i)),
            sensor: "flotation/cell0\(writer)/ph", topic: "tinmine/site1/flotation/cell0\(writer)/ph", rule: "anomaly",
            detector: "mad", severity: .warning, value: 4.2, score: 0.91, threshold: 0.5,
            alertID: "w\(writer)-\(i)", startsAt: Timestamp(millisecondsSinceEpoch: 1_700_000_000_000), message: message)
    }

    /// Every line of the live file and its rotated siblings.
    func allLines(_ path: String, keep: Int) throws -> [String] {
        var lines: [String] = []
        for p in [path] + (1...keep).map({ "\(path).\($0)" }) where FileManager.default.fileExists(atPath: p) {
            let text = try String(contentsOfFile: p, encoding: .utf8)
            #expect(text.isEmpty || text.hasSuffix("\n"), "\(p) ends mid-line")
            lines += text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        }
        return lines
    }

    @Test("concurrent writers under constant rotation lose no line and split none")
    func concurrentRotation() throws {
        let scratch = TemporaryDirectory("alertlog")
        let dir = scratch.path
        let path = dir + "/alerts.jsonl"
        let writers = 8, perWriter = 1500, keep = 2000
        let log = try AlertLog(path: path, maxBytes: 8 * 1024, keep: keep)
        DispatchQueue.concurrentPerform(iterations: writers) { w in
            for i in 0..<perWriter { try! log.write(transition(i, writer: w)) }
        }
        log.close()
        let lines = try allLines(path, keep: keep)
        #expect(lines.count == writers * perWriter)
        var ids = Set<String>()
        for line in lines {
            let entry = try #require(AlertLogEntry(line: line), "not JSON: \(line)")
            ids.insert(entry.alertID ?? "")
            #expect(entry.sensor?.hasPrefix("flotation/") == true)
        }
        #expect(ids.count == writers * perWriter)
        // Every rotated file respects the size limit (each holds whole lines only).
        let rotated = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0 != "alerts.jsonl" }
        #expect(rotated.count > 10)
        for name in rotated {
            let size = try FileManager.default.attributesOfItem(atPath: dir + "/" + name)[.size] as! Int
            #expect(size <= 8 * 1024)
        }
    }

    @Test("rotation keeps only `keep` old files, oldest dropped first")
    func keepLimit() throws {
        let scratch = TemporaryDirectory("alertlog")
        let dir = scratch.path
        let path = dir + "/alerts.jsonl"
        let log = try AlertLog(path: path, maxBytes: 600, keep: 2)
        for i in 0..<40 { try log.write(transition(i, writer: 1)) }
        log.close()
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
        #expect(files == ["alerts.jsonl", "alerts.jsonl.1", "alerts.jsonl.2"])
        let newest = try allLines(path, keep: 2).compactMap { AlertLogEntry(line: $0)?.alertID }
        #expect(newest.contains("w1-39"))
        #expect(!newest.contains("w1-0"))
    }

    @Test("reopen after logrotate moved the file writes to a new file and leaves the old one whole")
    func reopenAfterRename() throws {
        let scratch = TemporaryDirectory("alertlog")
        let dir = scratch.path
        let path = dir + "/alerts.jsonl"
        let log = try AlertLog(path: path)
        try log.write(transition(0, writer: 1))
        try FileManager.default.moveItem(atPath: path, toPath: path + ".rotated")
        try log.write(transition(1, writer: 1))     // still goes to the renamed file
        try log.reopen()
        try log.write(transition(2, writer: 1))
        log.close()
        let old = try String(contentsOfFile: path + ".rotated", encoding: .utf8).split(separator: "\n")
        let new = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(old.count == 2 && new.count == 1)
        #expect(AlertLogEntry(line: new[0])?.alertID == "w1-2")
        #expect(throws: AlertLogError.closed(path)) { try log.write(transition(3, writer: 1)) }
    }

    @Test("a message with quotes, newlines and control characters stays one valid JSON line")
    func escaping() throws {
        let t = transition(0, writer: 1, message: "line1\nline2 \"quoted\" \\ tab\t bell\u{7}")
        let line = t.jsonLine
        #expect(!line.contains("\n"))
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
        #expect(object["message"] as? String == t.message)
        #expect(object["state"] as? String == "firing")
        #expect(object["score"] as? Double == 0.91)
        #expect(line.hasPrefix("{\"time\":\"2023-11-14T22:13:20.000Z\",\"state\":\"firing\",\"sensor\":"))
    }

    @Test("the republish topic template expands placeholders and strips MQTT wildcards")
    func topicTemplate() throws {
        let template = try AlertTopicTemplate("tinsense/alerts/{severity}/{sensor}/{state}")
        var t = transition(0, writer: 3)
        #expect(template.expand(t) == "tinsense/alerts/warning/flotation/cell03/ph/firing")
        t.sensor = "odd/+/name#"
        #expect(template.expand(t) == "tinsense/alerts/warning/odd/_/name_/firing")
        #expect(throws: AlertTopicTemplateError.self) { try AlertTopicTemplate("alerts/{nope}") }
        #expect(throws: AlertTopicTemplateError.self) { try AlertTopicTemplate("alerts/#") }
    }

    @Test("the follower reads whole lines across a rotation without missing any")
    func followAcrossRotation() throws {
        let scratch = TemporaryDirectory("alertlog")
        let dir = scratch.path
        let path = dir + "/alerts.jsonl"
        let log = try AlertLog(path: path, maxBytes: 1000, keep: 50)
        let follower = AlertLogFollower(path: path)
        var seen: [String] = []
        for i in 0..<60 {
            try log.write(transition(i, writer: 2))
            if i % 7 == 0 { seen += follower.readAvailableLines() }
        }
        seen += follower.readAvailableLines()
        seen += follower.readAvailableLines()
        log.close()
        #expect(seen.compactMap { AlertLogEntry(line: $0)?.alertID } == (0..<60).map { "w2-\($0)" })
    }

    @Test("the terminal view is plain without colour, and filters by severity and sensor pattern")
    func terminalView() throws {
        let entry = try #require(AlertLogEntry(line: transition(0, writer: 1).jsonLine))
        let plain = AlertLineFormatter(colour: false).format(entry)
        #expect(!plain.contains("\u{1B}["))
        #expect(plain.contains("FIRING") && plain.contains("flotation/cell01/ph") && plain.contains("score 0.91 ≥ 0.50"))
        #expect(AlertLineFormatter(colour: true).format(entry).contains("\u{1B}[33m"))
        #expect(AlertLineFilter(minimumSeverity: .warning, sensor: SensorPattern("flotation/*")).accepts(entry))
        #expect(!AlertLineFilter(minimumSeverity: .critical).accepts(entry))
        #expect(!AlertLineFilter(sensor: SensorPattern("crushing/*")).accepts(entry))
    }
}

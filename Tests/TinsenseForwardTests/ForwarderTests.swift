import Foundation
import Testing
import TinsenseAlerts
import TinsenseCore
import TinsenseTestSupport
@testable import TinsenseForward

@Suite("forwarder", .serialized)
struct ForwarderTests {
    @Test("every spooled reading reaches a real VictoriaMetrics with its exact value, time and labels")
    func toVictoriaMetrics() throws {
        let vm = VictoriaMetricsServer()
        try vm.start()
        let data = TemporaryDirectory("fwd-vm")
        let readings = sampleReadings(2_345)
        let output = try ForwardOutput(settings: forwardSettings(url: vm.url), dataDirectory: data.path, logger: quietLogger)
        let tap = output.makeTap(logger: quietLogger) { _ in }
        for r in readings { tap.stored(r) }
        output.start()
        defer { output.stop() }
        let want = Set(readings.map(expectedSample))
        var got: [VictoriaMetricsServer.Sample] = []
        let arrived = try eventually(timeout: 30, every: 0.5) {
            got = try vm.samples(#"{__name__="tinsense_value"}"#)
            return got.count >= readings.count
        }
        #expect(arrived, "VictoriaMetrics holds \(got.count) of \(readings.count)")
        #expect(got.count == readings.count && Set(got) == want)
    }

    @Test("a batch answered 400 is set aside in rejected.jsonl with the answer, and the next batches go on (no wedge)")
    func badBatchDoesNotWedge() throws {
        let server = try ScriptedHTTPServer(script: [(400, "cannot parse line 3: bad field"), (204, "")])
        let data = TemporaryDirectory("fwd-400")
        let readings = sampleReadings(30)
        let output = try ForwardOutput(settings: forwardSettings(url: server.url, batch: 10), dataDirectory: data.path, logger: quietLogger)
        let tap = output.makeTap(logger: quietLogger) { _ in }
        for r in readings { tap.stored(r) }
        output.start()
        defer { output.stop() }
        #expect(eventually(timeout: 20) { server.bodies.count >= 3 })
        let bodies = server.bodies
        #expect(bodies.count == 3, "one refused batch, two accepted, nothing sent again: \(bodies.count)")
        let rejected = try String(contentsOfFile: data.file("forward/rejected.jsonl"), encoding: .utf8)
        let line = try #require(rejected.split(separator: "\n").first)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["status"] as? Int == 400)
        #expect(object["response"] as? String == "cannot parse line 3: bad field")
        #expect(object["readings"] as? Int == 10)
        #expect((object["request_excerpt"] as? String)?.hasPrefix("tinsense,sensor=") == true)
        #expect(eventually(timeout: 5) { !output.spoolHasPending })
    }

    @Test("503 and 429 are waited out with the spool kept; the readings arrive once the server answers 204")
    func transientErrorsKeepTheSpool() throws {
        let server = try ScriptedHTTPServer(script: [(503, "busy"), (429, "slow down"), (204, "")])
        let data = TemporaryDirectory("fwd-503")
        let output = try ForwardOutput(settings: forwardSettings(url: server.url, batch: 1_000), dataDirectory: data.path, logger: quietLogger)
        let tap = output.makeTap(logger: quietLogger) { _ in }
        let readings = sampleReadings(20)
        for r in readings { tap.stored(r) }
        output.start()
        defer { output.stop() }
        #expect(eventually(timeout: 20) { server.bodies.count >= 3 && !output.spoolHasPending })
        let bodies = server.bodies
        // The same batch three times: retried, never dropped, never set aside.
        #expect(bodies.count == 3 && Set(bodies).count == 1)
        #expect(bodies.first?.split(separator: "\n").count == 20)
        #expect(!FileManager.default.fileExists(atPath: data.file("forward/rejected.jsonl")))
    }

    @Test("a full spool writes one firing line to the alert log, and a resolved line naming the back-fill once it takes readings again")
    func spoolFullAlert() throws {
        let data = TemporaryDirectory("fwd-full")
        let log = try AlertLog(path: data.file("alerts.jsonl"))
        let server = try ScriptedHTTPServer(script: [(204, "")])
        let output = try ForwardOutput(settings: forwardSettings(url: server.url, spoolMB: 0.01), dataDirectory: data.path, logger: quietLogger)
        let tap = output.makeTap(logger: quietLogger) { try? log.write($0) }
        let readings = sampleReadings(1_000)
        for r in readings { tap.stored(r) }
        var lines = try String(contentsOfFile: log.path, encoding: .utf8).split(separator: "\n").compactMap { AlertLogEntry(line: $0) }
        #expect(lines.count == 1 && lines.first?.state == "firing" && lines.first?.rule == ForwardTap.alertRule)
        output.start()
        defer { output.stop() }
        #expect(eventually(timeout: 20) { !output.spoolHasPending })
        tap.stored(readings[0])
        lines = try String(contentsOfFile: log.path, encoding: .utf8).split(separator: "\n").compactMap { AlertLogEntry(line: $0) }
        #expect(lines.map(\.state) == ["firing", "resolved"])
        let message = try #require(lines.last?.message)
        #expect(message.contains("tinsense export") && message.contains("--format victoriametrics"))
        #expect(lines.first?.alertID == lines.last?.alertID)
    }
}

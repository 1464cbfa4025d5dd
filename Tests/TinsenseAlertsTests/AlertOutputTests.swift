import Foundation
import Logging
import Testing
import TinsenseCore
@testable import TinsenseAlerts

@Suite("alert output")
struct AlertOutputTests {
    func firing(_ id: String, _ kind: AlertTransition.Kind = .firing) -> AlertTransition {
        AlertTransition(
            kind: kind, time: Timestamp(millisecondsSinceEpoch: 1_700_000_000_000), sensor: "crushing/crusher01/power",
            rule: "anomaly", detector: "zscore", severity: .critical, value: 3.5, score: 0.97, threshold: 0.5,
            alertID: id, startsAt: Timestamp(millisecondsSinceEpoch: 1_700_000_000_000), message: "value 3.5 is 9 σ below the rolling mean")
    }

    func ids(in path: String) throws -> [String] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").compactMap {
            AlertLogEntry(line: $0).map { "\($0.alertID ?? "")|\($0.state ?? "")" }
        }
    }

    @Test("a replay skips the transitions already in the log's tail and writes the rest; live ones are always written")
    func replaySkipsLoggedTransitions() throws {
        let path = NSTemporaryDirectory() + "tinsense-alertoutput-\(UUID().uuidString).jsonl"
        defer { try? FileManager.default.removeItem(atPath: path) }
        // A line that does not parse (here: cut short) is skipped, not fatal.
        try Data("{\"alert_id\":\"to\n".utf8).write(to: URL(fileURLWithPath: path))
        let logger = Logger(label: "test")
        let first = AlertOutput(log: try AlertLog(path: path), republisher: nil, logger: logger)
        first.emit(firing("a"), replaying: false)
        first.emit(firing("b"), replaying: false)
        first.close()

        let restarted = AlertOutput(log: try AlertLog(path: path), republisher: nil, logger: logger)
        #expect(AlertOutput.tailKeys(path: path) == ["a|firing", "b|firing"])
        restarted.emit(firing("a"), replaying: true)
        restarted.emit(firing("a", .resolved), replaying: true)
        restarted.emit(firing("b"), replaying: false)
        restarted.close()
        #expect(try ids(in: path) == ["a|firing", "b|firing", "a|resolved", "b|firing"])
    }
}

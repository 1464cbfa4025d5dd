import Testing
import TinsenseCore
import TinsenseReplay

@Suite("alert diff")
struct AlertDiffTests {
    static func line(_ sensor: String, _ rule: String, start: String, state: String = "firing") -> String {
        #"{"time":"\#(start)","state":"\#(state)","sensor":"\#(sensor)","topic":null,"rule":"\#(rule)","detector":"level","severity":"warning","value":1.0,"score":0.9,"threshold":0.5,"alert_id":"x","starts_at":"\#(start)","message":"m"}"#
    }

    @Test("alerts are new, gone, moved (same sensor and rule, start shifted within tolerance) or unchanged, one line each and a summary")
    func classifies() {
        let old = [
            Self.line("a", "anomaly", start: "2026-04-12T10:00:00.000Z"),
            Self.line("a", "anomaly", start: "2026-04-12T10:00:00.000Z", state: "resolved"),
            Self.line("b", "anomaly", start: "2026-04-12T10:05:00.000Z"),
            Self.line("c", "anomaly", start: "2026-04-12T11:00:00.000Z"),
            Self.line("c", "anomaly", start: "2026-04-12T11:00:00.000Z"),
            "not json",
        ].joined(separator: "\n")
        let new = [
            Self.line("a", "anomaly", start: "2026-04-12T10:00:00.000Z"),
            Self.line("b", "anomaly", start: "2026-04-12T10:05:12.000Z"),
            Self.line("d", "level", start: "2026-04-12T12:00:00.000Z"),
        ].joined(separator: "\n")
        let d = AlertDiff(old: DiffedAlert.firing(inLog: old), new: DiffedAlert.firing(inLog: new), toleranceMs: 60_000)
        #expect(d.changes.map(\.line) == [
            "moved  2026-04-12T10:05:00.000Z -> 2026-04-12T10:05:12.000Z (+12s)  b  anomaly",
            "gone   2026-04-12T11:00:00.000Z  c  anomaly  warning",
            "new    2026-04-12T12:00:00.000Z  d  level  warning",
        ])
        #expect(d.summary == "summary: 1 new, 1 gone, 1 moved, 1 unchanged (old log 3 alerts, this run 3)")
    }

    @Test("a shift beyond the tolerance is a gone alert and a new one, not a move")
    func beyondTolerance() {
        let old = [DiffedAlert(sensor: "a", rule: "r", start: Timestamp(millisecondsSinceEpoch: 0), severity: "warning")]
        let new = [DiffedAlert(sensor: "a", rule: "r", start: Timestamp(millisecondsSinceEpoch: 120_000), severity: "warning")]
        let d = AlertDiff(old: old, new: new, toleranceMs: 60_000)
        #expect(d.goneAlerts == 1 && d.newAlerts == 1 && d.movedAlerts == 0)
        let near = AlertDiff(old: old, new: new, toleranceMs: 120_000)
        #expect(near.movedAlerts == 1 && near.changes.first?.line.contains("(+2m00s)") == true)
    }
}

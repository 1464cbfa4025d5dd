import Testing
import TinsenseCore
import TinsenseDetect
import TinsenseAlerts

@Suite("alert log view")
struct AlertLogViewTests {
    static let line = AlertTransition(
        kind: .firing, time: Timestamp(millisecondsSinceEpoch: 1_700_000_000_000),
        sensor: "flotation/cell01/ph", topic: "tinmine/site1/flotation/cell01/ph", rule: "anomaly",
        detector: "mad", severity: .warning, value: 4.2, score: 0.91, threshold: 0.5,
        alertID: "a1", startsAt: Timestamp(millisecondsSinceEpoch: 1_700_000_000_000), message: "value 4.2 is 7 MADs below").jsonLine

    @Test("a transition is formatted when it passes the filter and skipped when it does not")
    func filtered() throws {
        let formatter = AlertLineFormatter(colour: false)
        let entry = try #require(AlertLogEntry(line: Self.line))
        let all = AlertLogView(filter: AlertLineFilter(), formatter: formatter)
        #expect(all.display(Self.line) == formatter.format(entry))
        let critical = AlertLogView(filter: AlertLineFilter(minimumSeverity: .critical), formatter: formatter)
        #expect(critical.display(Self.line) == nil)
        let otherArea = AlertLogView(filter: AlertLineFilter(sensor: SensorPattern("crushing/*")), formatter: formatter)
        #expect(otherArea.display(Self.line) == nil)
    }

    @Test("a line that is not JSON is shown as it is, unless a filter is set; empty lines are skipped")
    func foreignLines() {
        let formatter = AlertLineFormatter(colour: false)
        #expect(AlertLogView(filter: AlertLineFilter(), formatter: formatter).display("logrotate was here") == "logrotate was here")
        #expect(AlertLogView(filter: AlertLineFilter(sensor: SensorPattern("*")), formatter: formatter).display("logrotate was here") == nil)
        #expect(AlertLogView(filter: AlertLineFilter(minimumSeverity: .info), formatter: formatter).display("logrotate was here") == nil)
        #expect(AlertLogView(filter: AlertLineFilter(), formatter: formatter).display("") == nil)
    }
}

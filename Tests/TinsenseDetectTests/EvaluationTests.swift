import Testing
@testable import TinsenseDetect

@Suite("evaluation metrics")
struct EvaluationTests {
    @Test("event score: early detection earns more credit and alarm onsets outside windows are false")
    func eventScore() {
        let labels = [false, false, true, true, true, true, true, false, false, false]
        let early = EventCounts(alarms: [false, false, true, true, false, false, false, false, false, false], labels: labels)
        let late = EventCounts(alarms: [false, false, false, false, false, false, true, false, false, false], labels: labels)
        let noisy = EventCounts(alarms: [true, false, true, false, false, false, false, false, true, false], labels: labels)
        #expect(early.recall == 1 && early.precision == 1)
        #expect(late.recall == 0.5)
        #expect(noisy.trueOnsets == 1 && noisy.falseOnsets == 2)
        #expect(abs(noisy.precision - 1.0 / 3) < 1e-12)
    }

    @Test("point counts give precision, recall and F1")
    func pointCounts() {
        var c = PointCounts()
        for (a, l) in [(true, true), (true, false), (false, true), (true, true)] { c.add(alarm: a, label: l) }
        #expect(abs(c.precision - 2.0 / 3) < 1e-12 && abs(c.recall - 2.0 / 3) < 1e-12 && abs(c.f1 - 2.0 / 3) < 1e-12)
    }

    @Test("fault evaluation: a step fault is caught and clean sensors raise no false alerts")
    func faultEvaluation() throws {
        var readings: [FaultEvaluation.Reading] = []
        let start: Int64 = 1_700_000_000_000
        for (k, sensor) in ["a", "b"].enumerated() {
            for (i, v) in noise(count: 6000, seed: UInt64(50 + k)).enumerated() {
                let stepped = sensor == "a" && i >= 4000 && i < 4300 ? v + 8 : v
                readings.append(.init(sensor: sensor, time: start + Int64(i) * 1000, value: stepped))
            }
        }
        let labels = [FaultEvaluation.Label(sensor: "a", fault: "step", start: start + 4_000_000, end: start + 4_300_000)]
        let report = FaultEvaluation(spec: .default).evaluate(readings: readings, labels: labels)
        #expect(report.kinds == [FaultEvaluation.KindResult(fault: "step", count: 1, caught: 1)])
        #expect(report.sensors == 2)
        #expect(report.falseAlerts == 0)
        #expect(report.faultFreeSensorDays > 0.1)
    }

    @Test("the labels and readings CSVs are read by header name")
    func faultCSV() throws {
        let labels = try FaultEvaluationCSV.labels("sensor,topic,fault,start,end\ns1,t/s1,stuck,2026-01-01T00:00:00Z,2026-01-01T00:02:00Z\n")
        #expect(labels == [.init(sensor: "s1", fault: "stuck", start: 1_767_225_600_000, end: 1_767_225_720_000)])
        let readings = try FaultEvaluationCSV.readings("timestamp,sensor,value,quality\n2026-01-01T00:00:00Z,s1,1.5,good\n2026-01-01T00:00:01Z,s1,oops,bad\n")
        #expect(readings == [.init(sensor: "s1", time: 1_767_225_600_000, value: 1.5)])
        #expect(throws: FaultCSVError.self) { try FaultEvaluationCSV.readings("when,what\n") }
    }
}

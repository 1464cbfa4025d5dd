import Testing
import TinsenseTestSupport
import TinsenseAlerts
import TinsenseDetect
@testable import TinsenseEvaluation

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

    /// Two sensors of 1 Hz noise, `a` with a step, `b` with a brief wobble nobody labelled.
    static func twoSensors() -> (readings: [FaultEvaluation.Reading], labels: [FaultEvaluation.Label]) {
        var readings: [FaultEvaluation.Reading] = []
        let start: Int64 = 1_700_000_000_000
        for (k, sensor) in ["a", "b"].enumerated() {
            for (i, v) in noise(count: 6000, seed: UInt64(70 + k)).enumerated() {
                var x = v
                if sensor == "a" && i >= 4000 && i < 4300 { x += 8 }
                if sensor == "b" && i >= 5000 && i < 5030 { x += 12 }
                readings.append(.init(sensor: sensor, time: start + Int64(i) * 1000, value: x))
            }
        }
        let labels = [
            FaultEvaluation.Label(sensor: "a", fault: "step", start: start + 4_000_000, end: start + 4_300_000),
            FaultEvaluation.Label(sensor: "b", fault: "stuck", start: start + 1_000_000, end: start + 1_100_000),
            FaultEvaluation.Label(sensor: "b", fault: "out_of_range", start: start + 2_000_000, end: start + 2_010_000),
        ]
        return (readings, labels)
    }

    @Test("streaming evaluation, sensors interleaved, equals the batch evaluation; misses and false alerts are listed")
    func streamingRun() {
        let (readings, labels) = Self.twoSensors()
        let evaluation = FaultEvaluation(spec: .default, rule: AlertRule(pendingForMilliseconds: 5000, immediateThreshold: 0.7))
        let batch = evaluation.evaluate(readings: readings, labels: labels)
        var run = FaultEvaluation.Run(evaluation, labels: labels)
        // Time order across sensors, as a plant delivers them (each sensor's still in order).
        for r in readings.sorted(by: { ($0.time, $0.sensor) < ($1.time, $1.sensor) }) {
            run.observe(sensor: r.sensor, time: r.time, value: r.value)
        }
        let streamed = run.report()
        #expect(streamed.kinds == batch.kinds)
        #expect(streamed.falseAlertList == batch.falseAlertList)
        #expect(streamed.misses == batch.misses)
        #expect(streamed.readings == 12_000 && streamed.sensors == 2)

        #expect(batch.kinds.first { $0.fault == "step" }?.caught == 1)
        // The unlabelled wobble on b is a false alert; the stuck label on b (no stuck value
        // in the data) is a miss with its best score; out_of_range is validation's, no miss.
        #expect(batch.falseAlerts == 1)
        #expect(batch.falseAlertList.first?.sensor == "b")
        #expect(batch.falseAlertList.first.map { $0.time >= 1_700_000_000_000 + 5_000_000 } == true)
        #expect(batch.misses.map(\.label.fault) == ["stuck"])
        let miss = batch.misses[0]
        #expect(miss.readings == 160)  // 100 s of window + 60 s of grace at 1 Hz
        #expect(miss.bestScore > 0 && miss.bestScore < 0.5)
        #expect(miss.bestDetector != nil)
    }

    @Test("a fault caught before detection (validation, deadman) counts only for its kind, sensor and window")
    func caughtBeforeDetection() {
        let (_, labels) = Self.twoSensors()
        var run = FaultEvaluation.Run(FaultEvaluation(spec: .default), labels: labels)
        let start: Int64 = 1_700_000_000_000
        run.caughtBeforeDetection(sensor: "a", fault: "out_of_range", time: start + 2_005_000)  // wrong sensor
        run.caughtBeforeDetection(sensor: "b", fault: "out_of_range", time: start + 2_100_000)  // after window + grace
        #expect(run.report().kinds.first { $0.fault == "out_of_range" }?.caught == 0)
        run.caughtBeforeDetection(sensor: "b", fault: "out_of_range", time: start + 2_050_000)  // inside the grace
        let report = run.report()
        #expect(report.kinds.first { $0.fault == "out_of_range" }?.caught == 1)
        #expect(report.kinds.first { $0.fault == "stuck" }?.caught == 0)
    }
}

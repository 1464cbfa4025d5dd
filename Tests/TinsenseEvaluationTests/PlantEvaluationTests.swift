import TinsenseAlerts
import Testing
import TinsenseCore
import TinsenseDetect
import TinsenseSimulator
@testable import TinsenseEvaluation

@Suite("fault evaluation of the simulated plant")
struct PlantEvaluationTests {
    static let start = Timestamp(millisecondsSinceEpoch: 1_772_431_200_000)  // 2026-03-02T06:00:00Z

    @Test("malformed payloads, out-of-range values and silence are caught before detection, each for its own label")
    func stagesBeforeDetection() throws {
        let faults = try FaultSpecParser.parse(
            "out_of_range:table01/feed_rate@10m+10s,dropout:jig01/bed_level@15m+40s,malformed:cell03/pulp_level@20m+10s",
            seed: 5, horizonMilliseconds: 1_800_000)
        let plant = PlantModel(seed: 5, start: Self.start, faults: faults)
        let report = FaultEvaluation(spec: .default).evaluate(plant: plant, durationMilliseconds: 1_800_000)
        #expect(report.kinds == [
            .init(fault: "dropout", count: 1, caught: 1),
            .init(fault: "malformed", count: 1, caught: 1),
            .init(fault: "out_of_range", count: 1, caught: 1),
        ])
        #expect(report.sensors == plant.sensors.count)
        #expect(report.misses.isEmpty)
    }

    @Test("quarantined readings are not scored: a plant with malformed payloads yields fewer detector readings")
    func quarantinedAreNotScored() throws {
        let clean = FaultEvaluation(spec: .default).evaluate(plant: PlantModel(seed: 5, start: Self.start), durationMilliseconds: 300_000)
        let faults = try FaultSpecParser.parse("malformed:cell03/pulp_level@1m+10s", seed: 5, horizonMilliseconds: 300_000)
        let faulted = FaultEvaluation(spec: .default).evaluate(plant: PlantModel(seed: 5, start: Self.start, faults: faults), durationMilliseconds: 300_000)
        #expect(faulted.readings < clean.readings)
        #expect(faulted.kinds == [.init(fault: "malformed", count: 1, caught: 1)])
    }
}

@Suite("fault report text")
struct FaultReportTextTests {
    static func report() -> FaultEvaluation.Report {
        let (readings, labels) = EvaluationTests.twoSensors()
        let evaluation = FaultEvaluation(spec: .default, rule: AlertRule(pendingForMilliseconds: 5000, immediateThreshold: 0.7))
        return evaluation.evaluate(readings: readings, labels: labels)
    }

    @Test("the recall table marks the kinds caught before detection and ends with the detector recall")
    func recallTable() {
        let lines = Self.report().recallLines
        #expect(lines == [
            "| fault | labelled | caught | recall |",
            "|---|---|---|---|",
            "| out_of_range (validation/deadman) | 1 | 0 | 0.000 |",
            "| step | 1 | 1 | 1.000 |",
            "| stuck | 1 | 0 | 0.000 |",
            "",
            "detector recall (kinds a detector sees): 0.500",
        ])
    }

    @Test("the false-alert line gives the count, the sensor-days, the rate and the detectors")
    func falseAlertLine() {
        let report = Self.report()
        let line = report.falseAlertLine(heading: "false alerts")
        let detector = report.falseAlertList[0].detector
        #expect(line.hasPrefix("false alerts: 1 in "))
        #expect(line.hasSuffix(" per sensor per day (by detector: \(detector) 1)"))
        var none = report
        none.falseAlerts = 0
        none.falseAlertsByDetector = [:]
        #expect(none.falseAlertLine(heading: "x").hasSuffix("= 0.000 per sensor per day (by detector: none)"))
    }

    @Test("details list each miss with its best score and each false alert")
    func details() {
        let report = Self.report()
        let lines = report.detailLines
        #expect(lines.first == "")
        #expect(lines[1] == "missed faults:")
        #expect(lines[2].hasPrefix("  stuck on b 2023-11-14T22:30:00.000Z–2023-11-14T22:31:40.000Z: 160 readings, best score "))
        #expect(lines[3] == "false alerts:")
        #expect(lines[4] == "  \(report.falseAlertList[0])")
        #expect(lines[4].hasPrefix("  b 2023-11-14T"))
    }
}

@Suite("detector benchmark")
struct DetectorBenchmarkTests {
    @Test("the series is deterministic, quantised to 3 decimals, with a spike every 10,007 readings")
    func series() {
        let a = DetectorBenchmark.series(count: 20_100)
        #expect(a == DetectorBenchmark.series(count: 20_100))
        #expect(a.allSatisfy { ($0 * 1000).rounded() / 1000 == $0 })
        #expect(a[10_007] - a[10_006] > 10)
    }

    @Test("every measurement is a positive cost per reading and does the work")
    func measures() throws {
        var benchmark = DetectorBenchmark(readings: 2000)
        #expect(benchmark.baselineNanoseconds() > 0)
        let afterBaseline = benchmark.checksum
        #expect(benchmark.nanoseconds(spec: try DetectorSpec(names: ["mad"])) > 0)
        #expect(benchmark.scoreNanoseconds() > 0)
        #expect(benchmark.checksum > afterBaseline)
        #expect(DetectorComparison.detectorSets.last == "default")
        #expect(DetectorComparison.detectorSets.count == DetectorKind.allCases.count + 1)
    }
}

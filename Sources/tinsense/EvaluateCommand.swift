import ArgumentParser
import Foundation
import TinsenseCore
import TinsenseDetect

/// `tinsense evaluate`: measures the detectors against labelled data and their cost, in the
/// same run as a plain baseline, so every figure in docs/DETECTION.md can be reproduced.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Score detectors against labelled data (SKAB, simulator faults) and benchmark them.",
        discussion: """
        Examples:
          tinsense evaluate skab --data /work/shared/data/skab
          tinsense evaluate faults --readings recorded.csv --labels labels.csv
          tinsense evaluate benchmark --readings 2000000
        """,
        subcommands: [SKAB.self, Faults.self, Benchmark.self])

    /// Detector sets compared in every table: each detector alone, then the default.
    static let detectorRows: [String] = DetectorKind.allCases.map(\.name) + ["default"]

    struct SKAB: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Precision, recall, F1 and event F1 on the SKAB benchmark.",
            discussion: """
            Each SKAB file is one multichannel record; every channel runs its own detector set and \
            a row's score combines the channels (Bonferroni over the 8 tail probabilities), because \
            the labels mark rows of the whole rig, not of one channel. Scores are compared with the \
            plant threshold (--threshold, default 0.5) and with the best single threshold for all \
            files (the oracle, which measures ranking rather than calibration).

            Example:
              tinsense evaluate skab --data /work/shared/data/skab --set mad.window=300
            """)

        @Option(help: "The SKAB data folder (contains valve1/, valve2/, other/, anomaly-free/).")
        var data = "/work/shared/data/skab"

        @Option(help: "Alert threshold on the score.")
        var threshold = 0.5

        @Option(name: .customLong("set"), help: ArgumentHelp("Override a parameter (repeatable).", valueName: "key=value"))
        var settings: [String] = []

        func run() throws {
            let files = try Self.files(in: data)
            guard !files.isEmpty else {
                printError("tinsense evaluate skab: no CSV files under \(data)")
                throw ExitCodes.usage
            }
            var parsed: [(String, SKABFile)] = []
            for path in files {
                do {
                    parsed.append((path, try SKABFile(text: String(contentsOfFile: path, encoding: .utf8))))
                } catch {
                    printError("tinsense evaluate skab: \(path): \(error)")
                    throw ExitCodes.usage
                }
            }
            let rows = parsed.reduce(0) { $0 + $1.1.times.count }
            print("SKAB: \(parsed.count) files, \(rows) rows, 8 channels combined per file; threshold \(threshold)\n")
            print("| detector | precision | recall | F1 | event F1 | onsets true/false | best F1 (thr) | best event F1 (thr) |")
            print("|---|---|---|---|---|---|---|---|")
            var baseline = ScoredSeriesSet()
            for (path, f) in parsed {
                baseline.series.append(.init(name: path, scores: MultichannelScoring.baselineScores(times: f.times, channels: f.channels), labels: f.anomaly))
            }
            printRow("baseline (Gaussian z, window 500)", baseline)
            for name in EvaluateCommand.detectorRows {
                let spec = try ScoreCommand.spec(detector: name, settings: settings)
                var set = ScoredSeriesSet()
                for (path, f) in parsed {
                    set.series.append(.init(name: path, scores: MultichannelScoring.scores(times: f.times, channels: f.channels, spec: spec), labels: f.anomaly))
                }
                printRow(name, set)
            }
        }

        private func printRow(_ name: String, _ set: ScoredSeriesSet) {
            let p = set.pointCounts(threshold: threshold)
            let e = set.eventCounts(threshold: threshold)
            let bp = set.bestPointF1(), be = set.bestEventF1()
            func f(_ x: Double) -> String { FixedDecimal.format(x, decimals: 3) }
            print("| \(name) | \(f(p.precision)) | \(f(p.recall)) | \(f(p.f1)) | \(f(e.f1)) | \(e.trueOnsets)/\(e.falseOnsets) | \(f(bp.f1)) (\(FixedDecimal.format(bp.threshold, decimals: 2))) | \(f(be.f1)) (\(FixedDecimal.format(be.threshold, decimals: 2))) |")
        }

        static func files(in folder: String) throws -> [String] {
            let fm = FileManager.default
            guard let walker = fm.enumerator(atPath: folder) else { return [] }
            var out: [String] = []
            while let rel = walker.nextObject() as? String {
                if rel.hasSuffix(".csv") { out.append(folder + "/" + rel) }
            }
            // Numeric order inside folders, so the table does not depend on directory order.
            return out.sorted { $0.compare($1, options: .numeric) == .orderedAscending }
        }
    }

    struct Faults: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recall per fault kind and false alerts per sensor-day on a labelled recording.",
            discussion: """
            Readings: CSV with columns sensor,timestamp,value (e.g. `tinsense export --format csv`). \
            Labels: CSV sensor,fault,start,end with RFC 3339 times (the simulator's labels file). \
            Every sensor runs the detector set and the alert rule given here.

            Example:
              tinsense evaluate faults --readings run.csv --labels run-labels.csv --pending-for 5
            """)

        @Option(help: "Recorded readings CSV (sensor,timestamp,value).")
        var readings: String

        @Option(help: "Ground-truth labels CSV (sensor,fault,start,end).")
        var labels: String

        @Option(help: "Detector name, list or 'default'.")
        var detector = "default"

        @Option(name: .customLong("set"), help: ArgumentHelp("Override a parameter (repeatable).", valueName: "key=value"))
        var settings: [String] = []

        @Option(help: "Alert threshold.")
        var threshold = 0.5

        @Option(help: "Alert pending time in seconds.")
        var pendingFor = 0.0

        @Option(help: "Score that fires at once, without the pending time.")
        var immediate: Double?

        @Option(help: "Alert keep-firing time in seconds.")
        var keepFiringFor = 60.0

        @Option(help: "Seconds after a fault window in which an alert still counts.")
        var grace = 60.0

        func run() throws {
            let spec = try ScoreCommand.spec(detector: detector, settings: settings)
            let readingRows: [FaultEvaluation.Reading]
            let labelRows: [FaultEvaluation.Label]
            do {
                readingRows = try FaultEvaluationCSV.readings(String(contentsOfFile: readings, encoding: .utf8))
                labelRows = try FaultEvaluationCSV.labels(String(contentsOfFile: labels, encoding: .utf8))
            } catch {
                printError("tinsense evaluate faults: \(error)")
                throw ExitCodes.usage
            }
            let rule = AlertRule(threshold: threshold, pendingForMilliseconds: Int64(pendingFor * 1000),
                                 keepFiringForMilliseconds: Int64(keepFiringFor * 1000), immediateThreshold: immediate)
            let report = FaultEvaluation(spec: spec, rule: rule, graceMilliseconds: Int64(grace * 1000))
                .evaluate(readings: readingRows, labels: labelRows)
            print("\(readingRows.count) readings of \(report.sensors) sensors, \(labelRows.count) labelled faults; detector \(detector), threshold \(threshold)\n")
            print("| fault | labelled | caught | recall |")
            print("|---|---|---|---|")
            for k in report.kinds {
                let note = FaultEvaluation.validationKinds.contains(k.fault) ? " (validation/deadman)" : ""
                print("| \(k.fault)\(note) | \(k.count) | \(k.caught) | \(FixedDecimal.format(k.recall, decimals: 3)) |")
            }
            print("\ndetector recall (kinds a detector sees): \(FixedDecimal.format(report.detectorRecall, decimals: 3))")
            let byDetector = report.falseAlertsByDetector.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
            print("false alerts by detector: \(byDetector.isEmpty ? "none" : byDetector.joined(separator: ", "))")
            print("false alerts: \(report.falseAlerts) in \(FixedDecimal.format(report.faultFreeSensorDays, decimals: 3)) fault-free sensor-days = \(FixedDecimal.format(report.falseAlertsPerSensorDay, decimals: 3)) per sensor per day")
        }
    }

    struct Benchmark: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Cost per reading of each detector and of `score`, against a baseline in the same run.",
            discussion: """
            Runs on one core a synthetic 1 Hz series (random walk plus noise, quantised to 3 decimals, \
            occasional spikes and steps). Build with -c release for meaningful figures.

            Example:
              swift build -c release && .build/release/tinsense evaluate benchmark --readings 2000000
            """)

        @Option(help: "Readings per measurement.")
        var readings = 2_000_000

        func run() throws {
            let values = Self.series(count: readings)
            let times = (0..<readings).map { Int64(1_700_000_000_000) + Int64($0) * 1000 }
            var sink = 0.0
            func measure(_ body: () -> Double) -> Double {
                let clock = ContinuousClock()
                var best = Duration.seconds(1_000_000)
                for _ in 0..<3 {
                    let start = clock.now
                    sink += body()
                    best = min(best, clock.now - start)
                }
                let c = best.components
                return (Double(c.seconds) * 1e9 + Double(c.attoseconds) / 1e9) / Double(readings)
            }
            let baselineNs = measure {
                var b = GaussianZScoreBaseline()
                var s = 0.0
                for i in 0..<values.count { s += b.tailProbability(time: times[i], value: values[i]) }
                return s
            }
            print("\(readings) readings, best of 3 runs, one core\n")
            print("| detector set | ns/reading | × baseline |")
            print("|---|---|---|")
            print("| baseline (Gaussian z, window 500) | \(FixedDecimal.format(baselineNs, decimals: 1)) | 1.00 |")
            for name in EvaluateCommand.detectorRows {
                let spec = try DetectorSpec(names: [name])
                let ns = measure {
                    var d = spec.makeDetector()
                    var s = 0.0
                    for i in 0..<values.count { s += d.observe(time: .init(millisecondsSinceEpoch: times[i]), value: values[i]).score }
                    return s
                }
                print("| \(name) | \(FixedDecimal.format(ns, decimals: 1)) | \(FixedDecimal.format(ns / baselineNs, decimals: 2)) |")
            }
            // `tinsense score` end to end in memory: CSV parse + default set + CSV write.
            var csv = Array("timestamp,value\n".utf8)
            for i in 0..<values.count {
                csv += Array(RFC3339.format(.init(millisecondsSinceEpoch: times[i])).utf8)
                csv.append(0x2C)
                FixedDecimal.append(values[i], decimals: 3, to: &csv)
                csv.append(0x0A)
            }
            let scoreNs = measure {
                var scorer = CSVSeriesScorer(spec: .default)
                var out: [UInt8] = []
                out.reserveCapacity(csv.count + values.count * 10)
                csv.withUnsafeBytes { p in
                    try? scorer.consume(p, into: &out)
                }
                return Double(out.count)
            }
            print("\n`score` (CSV in memory → CSV, default set): \(FixedDecimal.format(scoreNs, decimals: 1)) ns/row = \(FixedDecimal.format(1e3 / scoreNs, decimals: 2)) M rows/s")
            if sink == 42 { print("") }   // keeps the measured work observable to the optimiser
        }

        static func series(count: Int) -> [Double] {
            var state: UInt64 = 0x2545_F491_4F6C_DD1D
            func uniform() -> Double {
                state ^= state << 13; state ^= state >> 7; state ^= state << 17
                return Double(state >> 11) / Double(1 << 53)
            }
            var level = 50.0
            return (0..<count).map { i in
                level += (uniform() - 0.5) * 0.05
                if i % 50_000 == 25_000 { level += 5 }
                var v = level + (uniform() + uniform() + uniform() - 1.5)
                if i % 10_007 == 0 { v += 20 }
                return (v * 1000).rounded() / 1000
            }
        }
    }
}

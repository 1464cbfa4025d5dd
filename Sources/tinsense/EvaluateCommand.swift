import ArgumentParser
import Foundation
import TinsenseCore
import TinsenseDetect
import TinsenseEvaluation
import TinsenseSimulator

/// `tinsense evaluate`: measures the detectors against labelled data and their cost, in the
/// same run as a plain baseline, so every figure in docs/DETECTION.md can be reproduced.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Score detectors against labelled data (SKAB, simulator faults) and benchmark them.",
        discussion: """
        Examples:
          tinsense evaluate skab --data /work/shared/data/skab
          tinsense evaluate faults --simulate 24h --seed 7 --faults random:60
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
            abstract: "Recall per fault kind and false alerts per sensor-day, on a simulated run or a labelled recording.",
            discussion: """
            --simulate DURATION generates the pilot plant of `tinsense simulate` in-process (no \
            broker, nothing written): the run with --faults (default random:60) gives recall per \
            fault kind, and a second run of the same seed without faults gives the false alerts per \
            sensor per day (--no-fault-free skips it). Every sensor's readings go to its own detector \
            set and alert rule in time order, as in the daemon. The stages before detection are \
            emulated from the plant's catalog (kept equal to config/tinsense.toml by a test): \
            malformed payloads and values outside the instrument range are quarantined, not scored, \
            and silence longer than a sensor's stale_after raises the deadman's stale alert; they \
            catch the malformed, out_of_range and dropout faults. --start defaults to a fixed time, \
            so the same options give the same figures on any machine.

            --readings/--labels score a recording instead. Readings: CSV with columns \
            sensor,timestamp,value (e.g. `tinsense export --format csv`, or `tinsense simulate --csv`). \
            Labels: CSV sensor,fault,start,end with RFC 3339 times (the simulator's labels file).

            A fault counts as caught if an alert on its sensor is firing at a reading in \
            [start, end + grace). The alert rule defaults to the one config/tinsense.toml ships \
            (threshold 0.5, pending 5 s, immediate 0.7, keep firing 60 s). --details lists every \
            missed fault (with the best score inside it) and every false alert.

            Examples:
              tinsense evaluate faults --simulate 24h --seed 7 --faults random:60
              tinsense evaluate faults --simulate 6h --faults 'stuck:xrf01/tails_sn@1h+2h' --details
              tinsense evaluate faults --readings run.csv --labels run-labels.csv --pending-for 5
            """)

        @Option(help: "Recorded readings CSV (sensor,timestamp,value).")
        var readings: String?

        @Option(help: "Ground-truth labels CSV (sensor,fault,start,end).")
        var labels: String?

        @Option(help: "Generate this much simulated plant time in-process instead of reading files (e.g. 24h).")
        var simulate: String?

        @Option(help: "With --simulate: seed of the plant's noise, wander and random faults.")
        var seed: UInt64 = 1

        @Option(help: "With --simulate: faults to inject, as `tinsense simulate --faults`.")
        var faults = "random:60"

        @Option(help: "With --simulate: the simulated start time (RFC 3339).")
        var start = "2026-03-02T06:00:00Z"

        @Flag(inversion: .prefixedNo, help: "With --simulate: also run the plant without faults for the false-alert rate.")
        var faultFree = true

        @Option(help: "Detector name, list or 'default'.")
        var detector = "default"

        @Option(name: .customLong("set"), help: ArgumentHelp("Override a parameter (repeatable).", valueName: "key=value"))
        var settings: [String] = []

        @Option(help: "Alert threshold.")
        var threshold = 0.5

        @Option(help: "Alert pending time in seconds.")
        var pendingFor = 5.0

        @Option(help: "Score that fires at once, without the pending time (a negative value: none).")
        var immediate = 0.7

        @Option(help: "Alert keep-firing time in seconds.")
        var keepFiringFor = 60.0

        @Option(help: "Seconds after a fault window in which an alert still counts.")
        var grace = 60.0

        @Flag(help: "List every missed fault and every false alert.")
        var details = false

        func run() throws {
            let spec = try ScoreCommand.spec(detector: detector, settings: settings)
            let rule = AlertRule(threshold: threshold, pendingForMilliseconds: Int64(pendingFor * 1000),
                                 keepFiringForMilliseconds: Int64(keepFiringFor * 1000),
                                 immediateThreshold: immediate < 0 ? nil : immediate)
            let evaluation = FaultEvaluation(spec: spec, rule: rule, graceMilliseconds: Int64(grace * 1000))
            let ruleText = "threshold \(threshold), pending \(pendingFor) s, immediate \(immediate < 0 ? "none" : "\(immediate)"), keep firing \(keepFiringFor) s, grace \(grace) s"
            if let simulate {
                guard readings == nil, labels == nil else {
                    printError("tinsense evaluate faults: --simulate and --readings/--labels exclude each other")
                    throw ExitCodes.usage
                }
                try runSimulated(simulate, evaluation: evaluation, ruleText: ruleText)
                return
            }
            guard let readings, let labels else {
                printError("tinsense evaluate faults: give --simulate DURATION, or both --readings and --labels")
                throw ExitCodes.usage
            }
            let readingRows: [FaultEvaluation.Reading]
            let labelRows: [FaultEvaluation.Label]
            do {
                readingRows = try FaultEvaluationCSV.readings(String(contentsOfFile: readings, encoding: .utf8))
                labelRows = try FaultEvaluationCSV.labels(String(contentsOfFile: labels, encoding: .utf8))
            } catch {
                printError("tinsense evaluate faults: \(error)")
                throw ExitCodes.usage
            }
            let report = evaluation.evaluate(readings: readingRows, labels: labelRows)
            print("\(readingRows.count) readings of \(report.sensors) sensors, \(labelRows.count) labelled faults; detector \(detector), \(ruleText)\n")
            printRecall(report)
            printFalseAlerts(report, heading: "false alerts")
            if details { printDetails(report) }
        }

        private func runSimulated(_ durationText: String, evaluation: FaultEvaluation, ruleText: String) throws {
            let setup: SimulateCommand.Setup
            do {
                setup = try SimulateCommand.Setup(duration: durationText, seed: seed, faults: faults, start: start)
            } catch {
                printError("tinsense evaluate faults: \(error.description)")
                throw ExitCodes.usage
            }
            for warning in setup.warnings { printError("tinsense evaluate faults: warning: \(warning)") }
            let faulted = Self.evaluate(setup.model, durationMilliseconds: setup.durationMilliseconds, evaluation: evaluation)
            print("simulated \(durationText) of the pilot plant, seed \(seed), faults \(faults): \(faulted.readings) readings of \(faulted.sensors) sensors, \(setup.model.labels.count) labelled faults; detector \(detector), \(ruleText)\n")
            printRecall(faulted)
            printFalseAlerts(faulted, heading: "false alerts in the faulted run (outside fault windows ± grace)")
            if details { printDetails(faulted) }
            guard faultFree else { return }
            let clean = PlantModel(seed: seed, start: setup.model.start)
            let quiet = Self.evaluate(clean, durationMilliseconds: setup.durationMilliseconds, evaluation: evaluation)
            print("\nfault-free run (seed \(seed), no faults): \(quiet.readings) readings of \(quiet.sensors) sensors")
            printFalseAlerts(quiet, heading: "false alerts")
            if details && !quiet.falseAlertList.isEmpty {
                print("\nfalse alerts of the fault-free run:")
                for f in quiet.falseAlertList { print("  " + Self.describe(f)) }
            }
        }

        /// Streams the model's messages, an hour at a time, through a `FaultEvaluation.Run`, with
        /// the daemon's stages before detection emulated from the plant's catalog (which a test
        /// keeps equal to config/tinsense.toml): a malformed payload is quarantined, a value
        /// outside the instrument's range is quarantined (not scored), and a sensor silent for
        /// longer than its stale_after raises the deadman's stale alert. Those catch the
        /// `malformed`, `out_of_range` and `dropout` labels; everything else is the detectors'.
        static func evaluate(_ plant: PlantModel, durationMilliseconds: Int64, evaluation: FaultEvaluation) -> FaultEvaluation.Report {
            var model = plant
            let labels = model.labels.map {
                FaultEvaluation.Label(sensor: $0.sensor, fault: $0.fault.rawValue,
                                      start: $0.start.millisecondsSinceEpoch, end: $0.end.millisecondsSinceEpoch)
            }
            var catalog: [String: SimulatedSensor] = [:]
            for sensor in model.sensors { catalog[sensor.id] = sensor }
            var lastReceive: [String: Int64] = [:]
            var run = FaultEvaluation.Run(evaluation, labels: labels)
            var done: Int64 = 0
            while done < durationMilliseconds {
                done = min(durationMilliseconds, done + 3_600_000)
                for message in model.messages(upTo: model.start.adding(milliseconds: done)) {
                    let time = message.time.millisecondsSinceEpoch
                    guard let sensor = catalog[message.sensor] else { continue }
                    guard let value = message.sentValue else {
                        run.caughtBeforeDetection(sensor: message.sensor, fault: FaultKind.malformed.rawValue, time: time)
                        continue
                    }
                    // The deadman checks once a second: stale just after stale_after of silence.
                    let staleAfter = Int64(sensor.staleAfterSeconds) * 1000
                    if let last = lastReceive[message.sensor], time - last > staleAfter {
                        run.caughtBeforeDetection(sensor: message.sensor, fault: FaultKind.dropout.rawValue, time: last + staleAfter + 1000)
                    }
                    lastReceive[message.sensor] = time
                    let x = value.doubleValue
                    guard sensor.range.contains(x) else {
                        run.caughtBeforeDetection(sensor: message.sensor, fault: FaultKind.outOfRange.rawValue, time: time)
                        continue
                    }
                    run.observe(sensor: message.sensor, time: time, value: x)
                }
            }
            return run.report()
        }

        private func printRecall(_ report: FaultEvaluation.Report) {
            print("| fault | labelled | caught | recall |")
            print("|---|---|---|---|")
            for k in report.kinds {
                let note = FaultEvaluation.validationKinds.contains(k.fault) ? " (validation/deadman)" : ""
                print("| \(k.fault)\(note) | \(k.count) | \(k.caught) | \(FixedDecimal.format(k.recall, decimals: 3)) |")
            }
            print("\ndetector recall (kinds a detector sees): \(FixedDecimal.format(report.detectorRecall, decimals: 3))")
        }

        private func printFalseAlerts(_ report: FaultEvaluation.Report, heading: String) {
            let byDetector = report.falseAlertsByDetector.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
            print("\(heading): \(report.falseAlerts) in \(FixedDecimal.format(report.faultFreeSensorDays, decimals: 3)) fault-free sensor-days = \(FixedDecimal.format(report.falseAlertsPerSensorDay, decimals: 3)) per sensor per day (by detector: \(byDetector.isEmpty ? "none" : byDetector.joined(separator: ", ")))")
        }

        private func printDetails(_ report: FaultEvaluation.Report) {
            print("\nmissed faults:\(report.misses.isEmpty ? " none" : "")")
            for m in report.misses {
                let best = m.bestDetector.map { "best score \(FixedDecimal.format(m.bestScore, decimals: 3)) (\($0): \(m.bestReason ?? ""))" } ?? "no score"
                print("  \(m.label.fault) on \(m.label.sensor) \(RFC3339.format(.init(millisecondsSinceEpoch: m.label.start)))–\(RFC3339.format(.init(millisecondsSinceEpoch: m.label.end))): \(m.readings) readings, \(best)")
            }
            print("false alerts:\(report.falseAlertList.isEmpty ? " none" : "")")
            for f in report.falseAlertList { print("  " + Self.describe(f)) }
        }

        static func describe(_ f: FaultEvaluation.FalseAlert) -> String {
            "\(f.sensor) \(RFC3339.format(.init(millisecondsSinceEpoch: f.time))) \(f.detector) score \(FixedDecimal.format(f.score, decimals: 3)): \(f.message)"
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

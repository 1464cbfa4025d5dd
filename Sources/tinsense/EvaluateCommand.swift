import ArgumentParser
import Foundation
import TinsenseAlerts
import TinsenseCore
import TinsenseDetect
import TinsenseEvaluation
import TinsenseSimulator
import TinsenseSystem

/// `tinsense evaluate`: measures the detectors against labelled data and their cost, in the
/// same run as a plain baseline, so every figure in docs/DETECTION.md can be reproduced.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Score detectors against labelled data (SKAB, simulator faults) and benchmark them.",
        discussion: """
        Examples:
          tinsense evaluate skab --data path/to/skab
          tinsense evaluate faults --simulate 24h --seed 7 --faults random:60
          tinsense evaluate faults --readings recorded.csv --labels labels.csv
          tinsense evaluate benchmark --readings 2000000
        """,
        subcommands: [SKAB.self, Faults.self, Benchmark.self])

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
              tinsense evaluate skab --data path/to/skab --set mad.window=300
            """)

        @Option(help: "The SKAB data folder (contains valve1/, valve2/, other/, anomaly-free/); SKAB is not shipped with tinsense.")
        var data: String

        @Option(help: "Alert threshold on the score.")
        var threshold = 0.5

        @Option(name: .customLong("set"), help: ArgumentHelp("Override a parameter (repeatable).", valueName: "key=value"))
        var settings: [String] = []

        func run() throws {
            let dataSet: SKABDataSet
            do {
                dataSet = try SKABDataSet(folder: data)
            } catch {
                printError("tinsense evaluate skab: \(error)")
                throw ExitCodes.usage
            }
            let evaluation = SKABEvaluation(dataSet: dataSet, threshold: threshold)
            print("SKAB: \(dataSet.files.count) files, \(dataSet.rowCount) rows, 8 channels combined per file; threshold \(threshold)\n")
            for line in SKABEvaluation.tableHeader { print(line) }
            print(evaluation.row(SKABEvaluation.baselineName, evaluation.baselineScores()))
            for name in DetectorComparison.detectorSets {
                let spec = try ScoreCommand.spec(detector: name, settings: settings)
                print(evaluation.row(name, evaluation.scores(spec: spec)))
            }
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

        func validate() throws {
            // Seconds become milliseconds with `Int64(x * 1000)`, which traps on nan, inf and
            // anything beyond 2^63 ms: refuse them as usage errors.
            for (name, x) in [("--pending-for", pendingFor), ("--keep-firing-for", keepFiringFor), ("--grace", grace)]
            where !(x.isFinite && x >= 0 && x <= 31_622_400) {
                throw usageError("evaluate", "\(name) must be between 0 and 31622400 seconds (got \(x))")
            }
        }

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
            let setup: SimulationSetup
            do {
                setup = try SimulationSetup(duration: durationText, seed: seed, faults: faults, start: start, now: WallClock.now())
            } catch {
                printError("tinsense evaluate faults: \(error.description)")
                throw ExitCodes.usage
            }
            for warning in setup.warnings { printError("tinsense evaluate faults: warning: \(warning)") }
            let faulted = evaluation.evaluate(plant: setup.model, durationMilliseconds: setup.durationMilliseconds)
            print("simulated \(durationText) of the pilot plant, seed \(seed), faults \(faults): \(faulted.readings) readings of \(faulted.sensors) sensors, \(setup.model.labels.count) labelled faults; detector \(detector), \(ruleText)\n")
            printRecall(faulted)
            printFalseAlerts(faulted, heading: "false alerts in the faulted run (outside fault windows ± grace)")
            if details { printDetails(faulted) }
            guard faultFree else { return }
            let clean = PlantModel(seed: seed, start: setup.model.start)
            let quiet = evaluation.evaluate(plant: clean, durationMilliseconds: setup.durationMilliseconds)
            print("\nfault-free run (seed \(seed), no faults): \(quiet.readings) readings of \(quiet.sensors) sensors")
            printFalseAlerts(quiet, heading: "false alerts")
            if details && !quiet.falseAlertList.isEmpty {
                print("\nfalse alerts of the fault-free run:")
                for f in quiet.falseAlertList { print("  \(f)") }
            }
        }

        private func printRecall(_ report: FaultEvaluation.Report) {
            for line in report.recallLines { print(line) }
        }

        private func printFalseAlerts(_ report: FaultEvaluation.Report, heading: String) {
            print(report.falseAlertLine(heading: heading))
        }

        private func printDetails(_ report: FaultEvaluation.Report) {
            for line in report.detailLines { print(line) }
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
            var benchmark = DetectorBenchmark(readings: readings)
            let baselineNs = benchmark.baselineNanoseconds()
            print("\(readings) readings, best of 3 runs, one core\n")
            print("| detector set | ns/reading | × baseline |")
            print("|---|---|---|")
            print("| baseline (Gaussian z, window 500) | \(FixedDecimal.format(baselineNs, decimals: 1)) | 1.00 |")
            for name in DetectorComparison.detectorSets {
                let ns = benchmark.nanoseconds(spec: try DetectorSpec(names: [name]))
                print("| \(name) | \(FixedDecimal.format(ns, decimals: 1)) | \(FixedDecimal.format(ns / baselineNs, decimals: 2)) |")
            }
            let scoreNs = benchmark.scoreNanoseconds()
            print("\n`score` (CSV in memory → CSV, default set): \(FixedDecimal.format(scoreNs, decimals: 1)) ns/row = \(FixedDecimal.format(1e3 / scoreNs, decimals: 2)) M rows/s")
            if benchmark.checksum == 42 { print("") }   // keeps the measured work observable to the optimiser
        }
    }
}

import ArgumentParser
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TinsenseDetect
import TinsenseEvaluation

/// `tinsense score`: the daemon's detector code run offline on one CSV series, for tuning
/// detectors and comparing them on data sets.
struct ScoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Score one series offline with the daemon's detectors (CSV in, CSV out).",
        discussion: """
        Reads CSV from standard input with a header naming a `timestamp` and a `value` column \
        (timestamps ISO-8601 with `T` or a space, with or without zone, any cadence) and writes \
        `timestamp,value,anomaly_score` to standard output: one row per input row, in the same \
        order, the timestamp and value echoed exactly, the score in [0, 1] with six decimals. \
        A score of 0.5 means a tail probability of 1e-5 against the series' own recent history; \
        with the default set, of the combined surprise against the series' own history of it, \
        and a reading that does not rise above its running event's peak prints at half its score.

        Streaming: the score of a row depends only on that row and the rows before it.

        A row whose timestamp or value does not parse (empty, NaN, text) keeps its place with \
        score 0.000000 and a warning naming its line on standard error; with --strict the first \
        such row is an error (exit 2).

        Detectors: default (= \(DetectorSpec.defaultDetectors.map(\.name).joined(separator: " + "))), \
        \(DetectorKind.allCases.map(\.name).joined(separator: ", ")). Parameters for --set \
        (`tinsense score --list-parameters` prints them with defaults):
        \(DetectorSpec.parameterKeys.map(\.key).joined(separator: ", ")).

        Examples:
          tinsense score < machine_temperature.csv > scored.csv
          tinsense score --detector mad --set mad.window=5m < ph.csv
          tinsense score --detector zscore,spike --set zscore.window=300 --set calibration.history=5000 < flow.csv
        """)

    @Option(name: .long, help: "Detector name, a comma-separated list, or 'default'.")
    var detector = "default"

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a parameter (repeatable).", valueName: "key=value"))
    var settings: [String] = []

    @Flag(help: "Fail (exit 2) on the first row that does not parse instead of scoring it 0.")
    var strict = false

    @Flag(help: "Print the parameter keys with their defaults and exit.")
    var listParameters = false

    func run() throws {
        if listParameters {
            for p in DetectorSpec.parameterKeys {
                print("\(p.key)=\(p.defaultValue)\t\(p.meaning)")
            }
            return
        }
        let spec: DetectorSpec
        do {
            spec = try Self.spec(detector: detector, settings: settings)
        } catch {
            printError("tinsense score: \(error)")
            throw ExitCodes.usage
        }
        var scorer = CSVSeriesScorer(spec: spec, strict: strict)
        var output: [UInt8] = []
        output.reserveCapacity(1 << 20)
        var input = [UInt8](repeating: 0, count: 1 << 20)
        do {
            while true {
                let n = input.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress!, $0.count) }
                if n < 0 {
                    if errno == EINTR { continue }
                    printError("tinsense score: reading standard input: \(String(cString: strerror(errno)))")
                    throw ExitCodes.runtimeFailure
                }
                if n == 0 { break }
                var failure: ScoreInputError?
                input.withUnsafeBytes { p in
                    do throws(ScoreInputError) {
                        try scorer.consume(UnsafeRawBufferPointer(rebasing: p[0..<n]), into: &output)
                    } catch {
                        failure = error
                    }
                }
                if let failure { throw failure }
                if output.count >= 1 << 20 { try flush(&output) }
            }
            try scorer.finish(into: &output)
        } catch let error as ScoreInputError {
            try flush(&output)
            printError("tinsense score: \(error)")
            throw ExitCodes.usage
        }
        try flush(&output)
        for w in scorer.warnings { printError("tinsense score: warning: \(w)") }
        if scorer.badRowCount > scorer.warnings.count {
            printError("tinsense score: warning: \(scorer.badRowCount) rows in all scored 0 because they did not parse")
        }
    }

    /// The detector spec from `--detector` and `--set` (shared with `evaluate`).
    static func spec(detector: String, settings: [String]) throws -> DetectorSpec {
        var overrides: [String: String] = [:]
        for s in settings {
            guard let eq = s.firstIndex(of: "="), eq != s.startIndex else {
                throw ValidationError("--set expects key=value, got '\(s)'")
            }
            overrides[String(s[..<eq])] = String(s[s.index(after: eq)...])
        }
        let names = detector.split(separator: ",").map(String.init)
        return try DetectorSpec(names: names, overrides: overrides)
    }

    private func flush(_ output: inout [UInt8]) throws {
        var offset = 0
        while offset < output.count {
            let n = output.withUnsafeBytes { write(STDOUT_FILENO, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                // A closed pipe (`| head`) is not an error worth a message.
                if errno == EPIPE { throw ExitCode(0) }
                printError("tinsense score: writing standard output: \(String(cString: strerror(errno)))")
                throw ExitCodes.runtimeFailure
            }
            offset += n
        }
        output.removeAll(keepingCapacity: true)
    }
}

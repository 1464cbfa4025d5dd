import Foundation
import Testing
import TinsenseTestSupport

/// `tinsense simulate --csv` and `tinsense evaluate faults --simulate`: the evaluation is
/// reproducible from the repository alone, with no broker and no recorded files.
@Suite("Simulated evaluation (CLI)")
struct SimulatedEvaluationTests {
    /// Faults a detector must see (a gross step on a 1 Hz pH probe, a spike to half the
    /// vibration span) and the three kinds the stages before detection catch.
    static let faults = "step:cell02/pulp_ph@40m+3m,spike:crusher01/vibration@50m+3s,"
        + "out_of_range:table01/feed_rate@60m+10s,dropout:jig01/bed_level@70m+40s,malformed:cell03/pulp_level@80m+10s"

    static func row(_ out: String, _ fault: String) -> String? {
        out.split(separator: "\n").first { $0.hasPrefix("| \(fault) ") }.map(String.init)
    }

    @Test("evaluate faults --simulate: recall per kind, validation and deadman catches, a fault-free run; same output every time")
    func simulatedEvaluation() throws {
        let arguments = ["evaluate", "faults", "--simulate", "90m", "--seed", "5", "--faults", Self.faults]
        let (status, out, err) = try runTinsense(arguments)
        #expect(status == 0, "\(err)")
        #expect(out.contains("70 sensors, 5 labelled faults"), "\(out)")
        #expect(Self.row(out, "step") == "| step | 1 | 1 | 1.000 |")
        #expect(Self.row(out, "spike") == "| spike | 1 | 1 | 1.000 |")
        #expect(Self.row(out, "out_of_range (validation/deadman)") == "| out_of_range (validation/deadman) | 1 | 1 | 1.000 |")
        #expect(Self.row(out, "dropout (validation/deadman)") == "| dropout (validation/deadman) | 1 | 1 | 1.000 |")
        #expect(Self.row(out, "malformed (validation/deadman)") == "| malformed (validation/deadman) | 1 | 1 | 1.000 |")
        #expect(out.contains("detector recall (kinds a detector sees): 1.000"))
        #expect(out.contains("fault-free run (seed 5, no faults)"))
        let again = try runTinsense(arguments)
        #expect(again.out == out, "deterministic")
    }

    @Test("simulate --csv writes a labelled recording without a broker, and evaluating it gives the in-process figures")
    func csvRecordingMatchesInProcess() throws {
        let dir = TemporaryDirectory("sim-csv")
        let detectorFaults = "step:cell02/pulp_ph@40m+3m,spike:crusher01/vibration@50m+3s,drift:xrf01/feed_fe@20m+50m"
        let recorded = try runTinsense([
            "simulate", "--csv", dir.file("readings.csv"), "--labels", dir.file("labels.csv"), "--duration", "90m",
            "--seed", "5", "--faults", detectorFaults, "--start", "2026-03-02T06:00:00Z",
        ])
        #expect(recorded.status == 0, "\(recorded.err)")
        let csv = try String(contentsOfFile: dir.file("readings.csv"), encoding: .utf8)
        let lines = csv.split(separator: "\n")
        #expect(lines.first == "sensor,topic,timestamp,value")
        #expect(recorded.out == "wrote \(lines.count - 1) readings to \(dir.file("readings.csv"))\n")
        #expect(lines.contains { $0.hasPrefix("xrf01/feed_fe,tinmine/pilot1/assay/line1/xrf01/feed_fe_pct,2026-03-02T06:") })

        let fromFiles = try runTinsense(["evaluate", "faults", "--readings", dir.file("readings.csv"), "--labels", dir.file("labels.csv")])
        let inProcess = try runTinsense(["evaluate", "faults", "--simulate", "90m", "--seed", "5", "--faults", detectorFaults, "--no-fault-free"])
        #expect(fromFiles.status == 0 && inProcess.status == 0, "\(fromFiles.err) \(inProcess.err)")
        func table(_ out: String) -> [String] {
            out.split(separator: "\n").filter { $0.hasPrefix("|") || $0.hasPrefix("detector recall") }.map(String.init)
        }
        func falseAlertCount(_ out: String) -> String? {
            out.split(separator: "\n").first { $0.hasPrefix("false alerts") }?.split(separator: ":", maxSplits: 1).last.map(String.init)
        }
        #expect(table(fromFiles.out) == table(inProcess.out))
        #expect(table(inProcess.out).count == 6)  // header, separator, 3 kinds, recall
        #expect(falseAlertCount(fromFiles.out) == falseAlertCount(inProcess.out))
    }

    @Test("usage: --simulate or both files; a too-short explicit fault is warned about and kept")
    func usage() throws {
        let neither = try runTinsense(["evaluate", "faults"])
        #expect(neither.status == 2)
        #expect(neither.err.contains("--simulate"))
        let both = try runTinsense(["evaluate", "faults", "--simulate", "1h", "--readings", "r.csv", "--labels", "l.csv"])
        #expect(both.status == 2)
        let noBroker = try runTinsense(["simulate", "--duration", "10s"])
        #expect(noBroker.status == 2)
        #expect(noBroker.err.contains("--csv"))
        let short = try runTinsense(["evaluate", "faults", "--simulate", "30m", "--faults", "stuck:xrf01/tails_sn@10m+4m", "--no-fault-free"])
        #expect(short.status == 0)
        #expect(short.err.contains("warning: stuck:xrf01/tails_sn lasts 4m, under 20 readings of xrf01/tails_sn"), "\(short.err)")
        #expect(Self.row(short.out, "stuck") == "| stuck | 1 | 0 | 0.000 |")
    }
}

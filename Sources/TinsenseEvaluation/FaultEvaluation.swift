import TinsenseAlerts
import TinsenseCore
import TinsenseDetect

/// Scores the detectors and the alert state machine against labelled faults of a recorded
/// plant (the simulator's ground truth, or a hand-labelled recording):
///
/// - *recall per fault kind*: a fault is caught if an alert on its sensor is firing at some
///   reading in `[start, end + grace)`;
/// - *false alerts per sensor per day*: `firing` transitions outside every fault window of
///   that sensor (± grace) and outside process events (`trip` labels, which legitimately
///   move every downstream signal), divided by the fault-free sensor-days observed.
///
/// Inputs are the documented CSV formats: readings `sensor,timestamp,value` (as `tinsense
/// export --format csv` writes, extra columns ignored) and labels `sensor,fault,start,end`
/// (RFC 3339, half-open windows; a `topic` column may be present).
package struct FaultEvaluation: Sendable {
    package struct Reading: Sendable, Hashable {
        package var sensor: String
        package var time: Int64
        package var value: Double
        package init(sensor: String, time: Int64, value: Double) {
            self.sensor = sensor
            self.time = time
            self.value = value
        }
    }

    package struct Label: Sendable, Hashable {
        package var sensor: String
        package var fault: String
        package var start: Int64
        package var end: Int64
        package init(sensor: String, fault: String, start: Int64, end: Int64) {
            self.sensor = sensor
            self.fault = fault
            self.start = start
            self.end = end
        }
    }

    package struct KindResult: Sendable, Hashable {
        package var fault: String
        package var count = 0
        package var caught = 0
        package var recall: Double { count == 0 ? 0 : Double(caught) / Double(count) }
        package init(fault: String, count: Int = 0, caught: Int = 0) {
            self.fault = fault
            self.count = count
            self.caught = caught
        }
    }

    /// A labelled fault no alert caught, with the best the detectors managed inside it.
    package struct Miss: Sendable, Hashable {
        package var label: Label
        /// Readings of the sensor inside `[start, end + grace)`.
        package var readings: Int
        /// Highest score inside `[start, end + grace)` (0 without readings).
        package var bestScore: Double
        /// The detector and reason behind `bestScore`.
        package var bestDetector: String?
        package var bestReason: String?
    }

    /// An alert that fired outside every labelled window of its sensor (± grace).
    package struct FalseAlert: Sendable, Hashable {
        package var sensor: String
        package var time: Int64
        package var detector: String
        package var score: Double
        package var message: String
    }

    package struct Report: Sendable {
        package var kinds: [KindResult]
        package var sensors: Int
        package var readings: Int
        package var falseAlerts: Int
        /// False alerts by the detector that fired them, to see which one to tune.
        package var falseAlertsByDetector: [String: Int]
        package var faultFreeSensorDays: Double
        /// Every labelled fault not caught (validation and process-event kinds excluded).
        package var misses: [Miss]
        /// Every false alert, in sensor then time order.
        package var falseAlertList: [FalseAlert]
        package var falseAlertsPerSensorDay: Double { faultFreeSensorDays > 0 ? Double(falseAlerts) / faultFreeSensorDays : 0 }
        /// Recall over the kinds a detector can see in the readings (not `dropout`, which is a
        /// stale alert, nor `malformed`/`out_of_range`, which validation quarantines).
        package var detectorRecall: Double {
            let k = kinds.filter { !FaultEvaluation.validationKinds.contains($0.fault) }
            let n = k.reduce(0) { $0 + $1.count }
            return n == 0 ? 0 : Double(k.reduce(0) { $0 + $1.caught }) / Double(n)
        }
    }

    /// Fault kinds handled before detection (deadman and validation), reported separately.
    package static let validationKinds: Set<String> = ["dropout", "malformed", "out_of_range"]
    package static let processEventKinds: Set<String> = ["trip"]

    package var spec: DetectorSpec
    package var rule: AlertRule
    /// Slack after a fault window in which an alert still counts as catching it (an alert
    /// is allowed to need a few readings; a recovering signal may alert just after).
    package var graceMilliseconds: Int64

    package init(spec: DetectorSpec, rule: AlertRule = AlertRule(), graceMilliseconds: Int64 = 60_000) {
        self.spec = spec
        self.rule = rule
        self.graceMilliseconds = graceMilliseconds
    }

    /// Scores a whole recording: readings in any order (each sensor's are sorted by time).
    package func evaluate(readings: [Reading], labels: [Label]) -> Report {
        var bySensor: [String: [Reading]] = [:]
        for r in readings { bySensor[r.sensor, default: []].append(r) }
        var run = Run(self, labels: labels)
        for sensor in bySensor.keys.sorted() {
            for r in bySensor[sensor]!.sorted(by: { $0.time < $1.time }) {
                run.observe(sensor: sensor, time: r.time, value: r.value)
            }
        }
        return run.report()
    }

    /// A streaming evaluation: feed readings as they come (each sensor's in time order,
    /// sensors interleaved as they like), then ask for the report. Memory is per sensor and
    /// per label, not per reading, so a day of a whole plant can be scored as it is
    /// generated.
    package struct Run: Sendable {
        private struct LabelState: Sendable {
            var label: Label
            var caught = false
            var readings = 0
            var bestScore = 0.0
            var bestDetector: String?
            var bestReason: String?
        }

        private struct SensorState: Sendable {
            var detector: SensorDetector
            var engine: AlertEngine
            /// Indices into `labelStates` of this sensor's own labels.
            var own: [Int]
            /// Windows (own labels and process events, ± grace and keep-firing) in which an
            /// alert is excused.
            var excused: [(Int64, Int64)]
            var first: Int64?
            var last: Int64 = 0
        }

        package let evaluation: FaultEvaluation
        private var labelStates: [LabelState]
        private let trips: [Label]
        private var sensorIndex: [String: Int] = [:]
        private var sensors: [SensorState] = []
        private var readings = 0
        private var falseAlerts: [FalseAlert] = []

        package init(_ evaluation: FaultEvaluation, labels: [Label]) {
            self.evaluation = evaluation
            labelStates = labels.map { LabelState(label: $0) }
            trips = labels.filter { FaultEvaluation.processEventKinds.contains($0.fault) }
        }

        private mutating func state(of sensor: String) -> Int {
            if let i = sensorIndex[sensor] { return i }
            let e = evaluation
            let own = labelStates.indices.filter { labelStates[$0].label.sensor == sensor }
            let excused = (own.map { labelStates[$0].label } + trips).map {
                ($0.start - e.graceMilliseconds, $0.end + e.graceMilliseconds + e.rule.keepFiringForMilliseconds)
            }
            let i = sensors.count
            sensors.append(SensorState(detector: e.spec.makeDetector(), engine: AlertEngine(rules: [e.rule]),
                                       own: own, excused: excused))
            sensorIndex[sensor] = i
            return i
        }

        /// One reading of `sensor`; a sensor's readings must come in time order.
        package mutating func observe(sensor: String, time: Int64, value: Double) {
            let i = state(of: sensor)
            let rule = evaluation.rule
            let grace = evaluation.graceMilliseconds
            readings += 1
            let result = sensors[i].detector.observe(time: .init(millisecondsSinceEpoch: time), value: value)
            if sensors[i].first == nil { sensors[i].first = time }
            sensors[i].last = time
            // The reason text only matters to the engine when the score can hold an alert;
            // rendering it for every reading would dominate the evaluation's cost.
            let reason = result.score >= rule.resolveThreshold ? result.reason.description : nil
            let transitions = sensors[i].engine.observe(
                sensor: sensor, rule: rule.name, time: .init(millisecondsSinceEpoch: time), score: result.score,
                value: value, detector: result.detector.name, reason: reason)
            for t in transitions where t.kind == .firing {
                if !sensors[i].excused.contains(where: { time >= $0.0 && time < $0.1 }) {
                    falseAlerts.append(FalseAlert(sensor: sensor, time: time, detector: t.detector ?? "?",
                                                  score: result.score, message: t.message))
                }
            }
            let firing = sensors[i].engine.isFiring(sensor: sensor, rule: rule.name)
            for l in sensors[i].own where time >= labelStates[l].label.start && time < labelStates[l].label.end + grace {
                labelStates[l].readings += 1
                if firing { labelStates[l].caught = true }
                if result.score > labelStates[l].bestScore {
                    labelStates[l].bestScore = result.score
                    labelStates[l].bestDetector = result.detector.name
                    labelStates[l].bestReason = reason ?? result.reason.description
                }
            }
        }

        /// A stage before detection caught a fault at `time`: validation quarantined a reading
        /// (`malformed`, `out_of_range`) or the deadman raised a stale alert (`dropout`). Labels
        /// of that kind on that sensor whose window (+ grace) holds `time` count as caught.
        package mutating func caughtBeforeDetection(sensor: String, fault: String, time: Int64) {
            let grace = evaluation.graceMilliseconds
            for i in labelStates.indices where labelStates[i].label.sensor == sensor && labelStates[i].label.fault == fault {
                if time >= labelStates[i].label.start && time < labelStates[i].label.end + grace { labelStates[i].caught = true }
            }
        }

        package func report() -> Report {
            let grace = evaluation.graceMilliseconds
            var kinds: [String: KindResult] = [:]
            var misses: [Miss] = []
            // Labels on sensors with no readings (a sensor that only dropped out) still count.
            for s in labelStates {
                var k = kinds[s.label.fault] ?? KindResult(fault: s.label.fault)
                k.count += 1
                if s.caught { k.caught += 1 }
                kinds[s.label.fault] = k
                if !s.caught && !FaultEvaluation.validationKinds.contains(s.label.fault)
                    && !FaultEvaluation.processEventKinds.contains(s.label.fault) {
                    misses.append(Miss(label: s.label, readings: s.readings, bestScore: s.bestScore,
                                       bestDetector: s.bestDetector, bestReason: s.bestReason))
                }
            }
            var faultFreeMs = 0.0
            for s in sensors {
                guard let first = s.first else { continue }
                let last = s.last
                let own = s.own.map { labelStates[$0].label }
                var excluded = 0.0
                for w in FaultEvaluation.merged((own + trips).map { (max(first, $0.start - grace), min(last, $0.end + grace)) }) {
                    excluded += Double(max(0, w.1 - w.0))
                }
                faultFreeMs += max(0, Double(last - first) - excluded)
            }
            var byDetector: [String: Int] = [:]
            for f in falseAlerts { byDetector[f.detector, default: 0] += 1 }
            return Report(
                kinds: kinds.values.sorted { $0.fault < $1.fault }, sensors: sensors.count, readings: readings,
                falseAlerts: falseAlerts.count, falseAlertsByDetector: byDetector,
                faultFreeSensorDays: faultFreeMs / 86_400_000,
                misses: misses.sorted { ($0.label.fault, $0.label.sensor, $0.label.start) < ($1.label.fault, $1.label.sensor, $1.label.start) },
                falseAlertList: falseAlerts.sorted { ($0.sensor, $0.time) < ($1.sensor, $1.time) })
        }
    }

    static func merged(_ windows: [(Int64, Int64)]) -> [(Int64, Int64)] {
        var out: [(Int64, Int64)] = []
        for w in windows.filter({ $0.1 > $0.0 }).sorted(by: { $0.0 < $1.0 }) {
            if let last = out.last, w.0 <= last.1 { out[out.count - 1].1 = max(last.1, w.1) } else { out.append(w) }
        }
        return out
    }
}

/// Reads the two CSV formats of `FaultEvaluation`, locating columns by header name.
package enum FaultEvaluationCSV {
    package static func readings(_ text: String) throws(FaultCSVError) -> [FaultEvaluation.Reading] {
        let (header, rows) = try split(text)
        guard let s = header.firstIndex(of: "sensor"),
              let t = header.firstIndex(where: { ["timestamp", "time", "source_time", "ts"].contains($0) }),
              let v = header.firstIndex(of: "value") else {
            throw .missingColumns(expected: "sensor,timestamp,value", found: header.joined(separator: ","))
        }
        var out: [FaultEvaluation.Reading] = []
        out.reserveCapacity(rows.count)
        for (n, f) in rows {
            guard f.count > max(s, t, v) else { throw .badLine(n) }
            guard let time = parseTime(f[t]) else { throw .badLine(n) }
            // Unparseable values are what validation quarantines: not detector input.
            guard let value = Double(f[v]), value.isFinite else { continue }
            out.append(.init(sensor: f[s], time: time, value: value))
        }
        return out
    }

    package static func labels(_ text: String) throws(FaultCSVError) -> [FaultEvaluation.Label] {
        let (header, rows) = try split(text)
        guard let s = header.firstIndex(of: "sensor"), let k = header.firstIndex(of: "fault"),
              let a = header.firstIndex(of: "start"), let b = header.firstIndex(of: "end") else {
            throw .missingColumns(expected: "sensor,fault,start,end", found: header.joined(separator: ","))
        }
        var out: [FaultEvaluation.Label] = []
        for (n, f) in rows {
            guard f.count > max(s, k, a, b), let start = parseTime(f[a]), let end = parseTime(f[b]) else { throw .badLine(n) }
            out.append(.init(sensor: f[s], fault: f[k], start: start, end: end))
        }
        return out
    }

    private static func parseTime(_ text: String) -> Int64? {
        var copy = text
        return copy.withUTF8 { TimestampText.parse(UnsafeRawBufferPointer($0))?.millisecondsSinceEpoch }
    }

    private static func split(_ text: String) throws(FaultCSVError) -> ([String], [(Int, [String])]) {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().makeIterator()
        guard let (_, first) = lines.next() else { throw .empty }
        let header = first.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: " \r\"").lowercased() }
        var rows: [(Int, [String])] = []
        while let (i, line) = lines.next() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: " \r\"") }
            if fields.count == 1 && fields[0].isEmpty { continue }
            rows.append((i + 1, fields))
        }
        return (header, rows)
    }
}

package enum FaultCSVError: Error, Sendable, Hashable, CustomStringConvertible {
    case empty
    case missingColumns(expected: String, found: String)
    case badLine(Int)

    package var description: String {
        switch self {
        case .empty: "empty file"
        case .missingColumns(let e, let f): "header '\(f)' lacks the columns \(e)"
        case .badLine(let n): "line \(n) does not parse"
        }
    }
}

import TinsenseCore

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
public struct FaultEvaluation: Sendable {
    public struct Reading: Sendable, Hashable {
        public var sensor: String
        public var time: Int64
        public var value: Double
        public init(sensor: String, time: Int64, value: Double) {
            self.sensor = sensor
            self.time = time
            self.value = value
        }
    }

    public struct Label: Sendable, Hashable {
        public var sensor: String
        public var fault: String
        public var start: Int64
        public var end: Int64
        public init(sensor: String, fault: String, start: Int64, end: Int64) {
            self.sensor = sensor
            self.fault = fault
            self.start = start
            self.end = end
        }
    }

    public struct KindResult: Sendable, Hashable {
        public var fault: String
        public var count = 0
        public var caught = 0
        public var recall: Double { count == 0 ? 0 : Double(caught) / Double(count) }
    }

    public struct Report: Sendable {
        public var kinds: [KindResult]
        public var sensors: Int
        public var falseAlerts: Int
        /// False alerts by the detector that fired them, to see which one to tune.
        public var falseAlertsByDetector: [String: Int]
        public var faultFreeSensorDays: Double
        public var falseAlertsPerSensorDay: Double { faultFreeSensorDays > 0 ? Double(falseAlerts) / faultFreeSensorDays : 0 }
        /// Recall over the kinds a detector can see in the readings (not `dropout`, which is a
        /// stale alert, nor `malformed`/`out_of_range`, which validation quarantines).
        public var detectorRecall: Double {
            let k = kinds.filter { !FaultEvaluation.validationKinds.contains($0.fault) }
            let n = k.reduce(0) { $0 + $1.count }
            return n == 0 ? 0 : Double(k.reduce(0) { $0 + $1.caught }) / Double(n)
        }
    }

    /// Fault kinds handled before detection (deadman and validation), reported separately.
    public static let validationKinds: Set<String> = ["dropout", "malformed", "out_of_range"]
    public static let processEventKinds: Set<String> = ["trip"]

    public var spec: DetectorSpec
    public var rule: AlertRule
    /// Slack after a fault window in which an alert still counts as catching it (an alert
    /// is allowed to need a few readings; a recovering signal may alert just after).
    public var graceMilliseconds: Int64

    public init(spec: DetectorSpec, rule: AlertRule = AlertRule(), graceMilliseconds: Int64 = 60_000) {
        self.spec = spec
        self.rule = rule
        self.graceMilliseconds = graceMilliseconds
    }

    public func evaluate(readings: [Reading], labels: [Label]) -> Report {
        var bySensor: [String: [Reading]] = [:]
        for r in readings { bySensor[r.sensor, default: []].append(r) }
        let trips = labels.filter { Self.processEventKinds.contains($0.fault) }
        var kinds: [String: KindResult] = [:]
        var falseAlerts = 0
        var byDetector: [String: Int] = [:]
        var faultFreeMs = 0.0
        for sensor in bySensor.keys.sorted() {
            let series = bySensor[sensor]!.sorted { $0.time < $1.time }
            let own = labels.filter { $0.sensor == sensor }
            var detector = spec.makeDetector()
            var engine = AlertEngine(rules: [rule])
            var firingAt: [Int64] = []        // reading times at which an alert is firing
            for r in series {
                let result = detector.observe(time: .init(millisecondsSinceEpoch: r.time), value: r.value)
                for t in engine.observe(sensor: sensor, rule: rule.name, time: .init(millisecondsSinceEpoch: r.time),
                                        value: r.value, result: result) where t.kind == .firing {
                    let excused = (own + trips).contains {
                        r.time >= $0.start - graceMilliseconds && r.time < $0.end + graceMilliseconds + rule.keepFiringForMilliseconds
                    }
                    if !excused {
                        falseAlerts += 1
                        byDetector[t.detector ?? "?", default: 0] += 1
                    }
                }
                if engine.isFiring(sensor: sensor, rule: rule.name) { firingAt.append(r.time) }
            }
            for label in own {
                var k = kinds[label.fault] ?? KindResult(fault: label.fault)
                k.count += 1
                if Self.firing(firingAt, from: label.start, to: label.end + graceMilliseconds) { k.caught += 1 }
                kinds[label.fault] = k
            }
            guard let first = series.first?.time, let last = series.last?.time else { continue }
            var excluded = 0.0
            for w in Self.merged((own + trips).map { (max(first, $0.start - graceMilliseconds), min(last, $0.end + graceMilliseconds)) }) {
                excluded += Double(max(0, w.1 - w.0))
            }
            faultFreeMs += max(0, Double(last - first) - excluded)
        }
        // Labels on sensors with no readings (a sensor that only dropped out) still count.
        for label in labels where bySensor[label.sensor] == nil {
            var k = kinds[label.fault] ?? KindResult(fault: label.fault)
            k.count += 1
            kinds[label.fault] = k
        }
        return Report(kinds: kinds.values.sorted { $0.fault < $1.fault }, sensors: bySensor.count,
                      falseAlerts: falseAlerts, falseAlertsByDetector: byDetector,
                      faultFreeSensorDays: faultFreeMs / 86_400_000)
    }

    /// Whether any time in the sorted `times` lies in [from, to).
    static func firing(_ times: [Int64], from: Int64, to: Int64) -> Bool {
        var lo = 0, hi = times.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if times[mid] < from { lo = mid + 1 } else { hi = mid }
        }
        return lo < times.count && times[lo] < to
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
public enum FaultEvaluationCSV {
    public static func readings(_ text: String) throws(FaultCSVError) -> [FaultEvaluation.Reading] {
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

    public static func labels(_ text: String) throws(FaultCSVError) -> [FaultEvaluation.Label] {
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

public enum FaultCSVError: Error, Sendable, Hashable, CustomStringConvertible {
    case empty
    case missingColumns(expected: String, found: String)
    case badLine(Int)

    public var description: String {
        switch self {
        case .empty: "empty file"
        case .missingColumns(let e, let f): "header '\(f)' lacks the columns \(e)"
        case .badLine(let n): "line \(n) does not parse"
        }
    }
}

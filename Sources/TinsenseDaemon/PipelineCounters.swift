import Metrics
import TinsenseAlerts
import TinsenseCore
import TinsenseValidate

/// What the pipeline has done, for the periodic stats log line and swift-metrics.
///
/// Counts live here (single-threaded, owned by the pipeline) and are mirrored to
/// swift-metrics, whose backend under `tinsense run` is Prometheus (`/metrics`,
/// docs/OPERATIONS.md "Metrics"). Every label has a fixed set of values (reason codes, alert
/// states), so the number of series never grows with the plant.
package struct PipelineCounters {
    package var messages = 0
    package var readingsStored = 0
    var replayedMessages = 0
    /// Rejected readings whose quarantine line could not be written for good (counted, logged).
    var quarantineWriteFailures = 0
    package var quarantined: [RejectReason: Int] = [:]
    var downgraded: [Downgrade: Int] = [:]

    private let messagesCounter = Counter(label: "tinsense_messages_total")
    private let storedCounter = Counter(label: "tinsense_readings_stored_total")
    private let quarantineWriteFailureCounter = Counter(label: "tinsense_quarantine_write_failures_total")
    private var quarantineCounters: [RejectReason: Counter] = [:]
    private var downgradeCounters: [Downgrade: Counter] = [:]
    private let alertGauges: [String: Gauge]

    init() {
        for r in RejectReason.allCases {
            quarantineCounters[r] = Counter(label: "tinsense_readings_quarantined_total", dimensions: [("reason", r.rawValue)])
        }
        for d in Downgrade.allCases {
            downgradeCounters[d] = Counter(label: "tinsense_readings_downgraded_total", dimensions: [("reason", d.rawValue)])
        }
        var gauges: [String: Gauge] = [:]
        for state in ["pending", "firing", "muted"] {
            gauges[state] = Gauge(label: "tinsense_alerts", dimensions: [("state", state)])
        }
        alertGauges = gauges
    }

    mutating func message() {
        messages += 1
        messagesCounter.increment()
    }

    mutating func stored() {
        readingsStored += 1
        storedCounter.increment()
    }

    mutating func quarantine(_ r: RejectReason) {
        quarantined[r, default: 0] += 1
        quarantineCounters[r]?.increment()
    }

    mutating func quarantineWriteFailed() {
        quarantineWriteFailures += 1
        quarantineWriteFailureCounter.increment()
    }

    mutating func downgrade(_ d: Downgrade) {
        downgraded[d, default: 0] += 1
        downgradeCounters[d]?.increment()
    }

    /// Sets the `tinsense_alerts{state}` gauges from the engine (the pipeline thread owns it,
    /// so it is sampled there, once a second).
    func sampleAlerts(_ engine: AlertEngine?) {
        let counts = engine?.stateCounts ?? (pending: 0, firing: 0, muted: 0)
        alertGauges["pending"]?.record(counts.pending)
        alertGauges["firing"]?.record(counts.firing)
        alertGauges["muted"]?.record(counts.muted)
    }

    /// `malformed=2 nan=1` style summary, reasons in a stable order, zeros left out.
    package var quarantineSummary: String {
        let parts = RejectReason.allCases.compactMap { r in quarantined[r].map { "\(r.rawValue)=\($0)" } }
        return parts.isEmpty ? "none" : parts.joined(separator: " ")
    }

    var downgradeSummary: String {
        let parts = Downgrade.allCases.compactMap { d in downgraded[d].map { "\(d.rawValue)=\($0)" } }
        return parts.isEmpty ? "none" : parts.joined(separator: " ")
    }
}

/// `tinsense_alert_transitions_total{kind}`: alert log lines written, by kind (firing,
/// resolved, muted, unmuted). Replayed transitions the log already holds are not counted.
struct AlertTransitionCounters {
    private let counters: [AlertTransition.Kind: Counter]

    init() {
        var c: [AlertTransition.Kind: Counter] = [:]
        for kind in AlertTransition.Kind.allCases {
            c[kind] = Counter(label: "tinsense_alert_transitions_total", dimensions: [("kind", kind.rawValue)])
        }
        counters = c
    }

    func count(_ kind: AlertTransition.Kind) {
        counters[kind]?.increment()
    }
}

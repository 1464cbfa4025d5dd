import Metrics
import TinsenseCore
import TinsenseValidate

/// What the pipeline has done, for the periodic stats log line and swift-metrics.
///
/// Counts live here (single-threaded, owned by the pipeline) and are mirrored to
/// swift-metrics counters so a metrics backend (Prometheus, a later issue) sees them too.
struct PipelineCounters {
    var messages = 0
    var readingsStored = 0
    var replayedMessages = 0
    /// Rejected readings whose quarantine line could not be written for good (counted, logged).
    var quarantineWriteFailures = 0
    var quarantined: [RejectReason: Int] = [:]
    var downgraded: [Downgrade: Int] = [:]

    private let messagesCounter = Counter(label: "tinsense_messages_total")
    private let storedCounter = Counter(label: "tinsense_readings_stored_total")
    private let quarantineWriteFailureCounter = Counter(label: "tinsense_quarantine_write_failures_total")
    private var quarantineCounters: [RejectReason: Counter] = [:]
    private var downgradeCounters: [Downgrade: Counter] = [:]

    init() {
        for r in RejectReason.allCases {
            quarantineCounters[r] = Counter(label: "tinsense_readings_quarantined_total", dimensions: [("reason", r.rawValue)])
        }
        for d in Downgrade.allCases {
            downgradeCounters[d] = Counter(label: "tinsense_readings_downgraded_total", dimensions: [("reason", d.rawValue)])
        }
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

    /// `malformed=2 nan=1` style summary, reasons in a stable order, zeros left out.
    var quarantineSummary: String {
        let parts = RejectReason.allCases.compactMap { r in quarantined[r].map { "\(r.rawValue)=\($0)" } }
        return parts.isEmpty ? "none" : parts.joined(separator: " ")
    }

    var downgradeSummary: String {
        let parts = Downgrade.allCases.compactMap { d in downgraded[d].map { "\(d.rawValue)=\($0)" } }
        return parts.isEmpty ? "none" : parts.joined(separator: " ")
    }
}

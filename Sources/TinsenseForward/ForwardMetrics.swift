import Metrics
import TinsenseCore

/// The forwarder's Prometheus series (docs/OPERATIONS.md, "Metrics"; docs/FORWARDING.md).
/// Fixed label values only: nothing grows with sensors.
final class ForwardMetrics: Sendable {
    let forwarded = Counter(label: "tinsense_forward_readings_total")
    let requestsTransient = Counter(label: "tinsense_forward_requests_failed_total", dimensions: [("class", "transient")])
    let requestsRejected = Counter(label: "tinsense_forward_requests_failed_total", dimensions: [("class", "rejected")])
    let readingsRejected = Counter(label: "tinsense_forward_readings_rejected_total")
    let notSpooled = Counter(label: "tinsense_forward_readings_not_spooled_total")
    let spoolBytes = Gauge(label: "tinsense_forward_spool_bytes")
    let spoolFull = Gauge(label: "tinsense_forward_spool_full")
    let lag = Gauge(label: "tinsense_forward_lag_seconds")
}

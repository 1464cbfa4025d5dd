import Metrics
import Prometheus

/// swift-metrics' process-wide backend for `tinsense run`: every `Counter`, `Gauge` and
/// `Recorder` the daemon makes lands in one Prometheus registry, which `/metrics` renders.
///
/// swift-metrics allows one bootstrap per process, so only the `run` command calls
/// `bootstrap()`; the other commands and the in-process unit tests keep swift-metrics' no-op
/// backend (their `/metrics`, if they served one, would be empty but valid).
package enum PrometheusBackend {
    /// The registry `/metrics` renders; the factory installed by `bootstrap()` writes here.
    package static let registry = PrometheusCollectorRegistry()

    /// Installs the Prometheus factory as swift-metrics' backend. Call it before any metric is
    /// made: metrics made earlier stay no-ops for good.
    package static func bootstrap() {
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
    }

    /// The Prometheus text exposition (format 0.0.4) of everything registered.
    package static func exposition() -> [UInt8] {
        registry.emitToBuffer()
    }
}

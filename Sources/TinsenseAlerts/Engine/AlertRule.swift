/// When a sensor's score becomes an alert: thresholds with hysteresis, a pending time
/// against one-reading blips, and a keep-firing time against flapping.
///
/// Scores are calibrated (see `AnomalyScore`), so the same rule can serve every sensor in a
/// plant; per-sensor rules exist for the few tags where an operator wants something else.
package struct AlertRule: Sendable, Hashable {
    /// The rule's name, part of the alert key (sensor, rule) and of the alert log line.
    package var name: String
    /// Score at or above which the condition holds.
    package var threshold: Double
    /// Score below which the condition counts as cleared; between the two the alert keeps
    /// its state (hysteresis). At most `threshold`.
    package var resolveThreshold: Double
    /// How long the score must stay at or above `resolveThreshold`, having reached
    /// `threshold`, before the alert fires (0: on the first reading).
    package var pendingForMilliseconds: Int64
    /// How long the condition must stay cleared before a firing alert resolves; a
    /// re-trigger within this time continues the same alert instead of opening a new one.
    package var keepFiringForMilliseconds: Int64
    /// A score at or above this fires at once, without waiting `pendingFor`: a short, gross
    /// excursion (a 3-second spike to half the instrument span) must not be lost to the
    /// pending time that keeps marginal scores from paging. Nil: always wait.
    package var immediateThreshold: Double?
    package var severity: AlertSeverity

    /// Name of the rule the engine uses for stale-sensor alerts.
    package static let staleRuleName = "stale"

    package init(
        name: String = "anomaly",
        threshold: Double = 0.5,
        resolveThreshold: Double? = nil,
        pendingForMilliseconds: Int64 = 0,
        keepFiringForMilliseconds: Int64 = 60_000,
        immediateThreshold: Double? = nil,
        severity: AlertSeverity = .warning
    ) {
        self.name = name
        self.threshold = threshold
        self.resolveThreshold = min(resolveThreshold ?? 0.8 * threshold, threshold)
        self.pendingForMilliseconds = max(0, pendingForMilliseconds)
        self.keepFiringForMilliseconds = max(0, keepFiringForMilliseconds)
        self.immediateThreshold = immediateThreshold.map { max($0, threshold) }
        self.severity = severity
    }
}

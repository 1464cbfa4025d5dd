import TinsenseCore

/// Mutes alerts of downstream sensors while an upstream condition holds, so that a crusher
/// trip pages once (for the crusher) instead of once per starved belt and analyzer.
///
/// Muting is itself logged (`muted` / `unmuted` transitions) so that nobody later wonders
/// why a feed-rate excursion raised nothing.
package struct InhibitRule: Sendable, Hashable {
    /// What must hold on the source sensor for the mute to apply.
    package enum Condition: Sendable, Hashable, CustomStringConvertible {
        /// The source's latest value is below the number (crusher motor power near zero).
        case valueBelow(Double)
        /// The source's latest value is above the number.
        case valueAbove(Double)
        /// The source sensor is stale.
        case stale
        /// An alert of the named rule is firing on the source sensor.
        case firing(rule: String)
        /// Only `AlertEngine.setInhibition(_:active:time:)` switches it.
        case external

        package var description: String {
            switch self {
            case .valueBelow(let x): "value < \(x)"
            case .valueAbove(let x): "value > \(x)"
            case .stale: "stale"
            case .firing(let rule): "\(rule) firing"
            case .external: "external"
            }
        }
    }

    package var name: String
    /// The upstream sensor whose state is watched.
    package var source: String
    package var condition: Condition
    /// Sensor ids or patterns (`SensorPattern`: `conveyor0*/*`) whose alerts are muted.
    package var targets: [String] { didSet { targetPatterns = targets.map(SensorPattern.init) } }
    private var targetPatterns: [SensorPattern]
    /// Rules muted on the targets; empty means every rule.
    package var targetRules: [String]
    /// The mute outlasts the condition by this long (a restarting crusher takes a while to
    /// bring the feed back to normal).
    package var releaseAfterMilliseconds: Int64

    package init(name: String, source: String, condition: Condition, targets: [String],
                targetRules: [String] = [], releaseAfterMilliseconds: Int64 = 0) {
        self.name = name
        self.source = source
        self.condition = condition
        self.targets = targets
        targetPatterns = targets.map(SensorPattern.init)
        self.targetRules = targetRules
        self.releaseAfterMilliseconds = max(0, releaseAfterMilliseconds)
    }

    /// Whether this rule, when active, mutes `rule` on `sensor`. The source never mutes itself.
    package func mutes(sensor: String, rule: String) -> Bool {
        guard sensor != source else { return false }
        guard targetRules.isEmpty || targetRules.contains(rule) else { return false }
        return targetPatterns.contains { $0.matches(sensor) }
    }
}

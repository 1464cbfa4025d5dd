/// How urgently a person should look: the alert viewer filters and colours by it, and the
/// republished topic can route on it.
package enum AlertSeverity: Int, Sendable, Hashable, Comparable, CaseIterable, CustomStringConvertible {
    case info = 0
    case warning = 1
    case critical = 2

    package var description: String {
        switch self {
        case .info: "info"
        case .warning: "warning"
        case .critical: "critical"
        }
    }

    /// `info`, `warning` (or `warn`), `critical` (or `crit`, `page`); case-insensitive.
    package init?(name: String) {
        switch name.lowercased() {
        case "info": self = .info
        case "warning", "warn": self = .warning
        case "critical", "crit", "page": self = .critical
        default: return nil
        }
    }

    package static func < (a: AlertSeverity, b: AlertSeverity) -> Bool { a.rawValue < b.rawValue }
}

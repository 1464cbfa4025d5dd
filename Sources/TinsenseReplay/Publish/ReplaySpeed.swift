/// How fast `tinsense replay --publish` sends: the recorded timing scaled by a factor, or as
/// fast as the broker acknowledges.
package enum ReplaySpeed: Sendable, Equatable, CustomStringConvertible {
    case factor(Double)
    case max

    /// Parses `1`, `10`, `0.5` or `max`.
    package init?(_ text: String) {
        if text == "max" { self = .max; return }
        guard let f = Double(text), f.isFinite, f > 0, f <= 1e6 else { return nil }
        self = .factor(f)
    }

    package var description: String {
        switch self {
        case .max: "max"
        case .factor(let f): f == f.rounded() ? String(Int(f)) : String(f)
        }
    }
}

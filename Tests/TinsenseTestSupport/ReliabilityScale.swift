import Foundation

/// How hard the reliability tests push: the short CI figures by default, the long ones of
/// docs/RELIABILITY.md with `TINSENSE_RELIABILITY=long` in the environment.
package enum ReliabilityScale {
    package static var isLong: Bool { ProcessInfo.processInfo.environment["TINSENSE_RELIABILITY"] == "long" }

    /// `short` in CI, `long` when asked for.
    package static func pick<T>(short: T, long: T) -> T { isLong ? long : short }
}

/// A payload (or one item of it) that could not be decoded, with the reason code quarantine
/// uses and a detail a person can act on. In Core because every decoder (JSON, line protocol,
/// Sparkplug) reports its refusals in this one shape.
package struct DecodeFailure: Error, Sendable, Equatable, CustomStringConvertible {
    package var reason: RejectReason
    package var detail: String

    package init(_ reason: RejectReason, _ detail: String) {
        self.reason = reason
        self.detail = detail
    }

    package var description: String { "\(reason): \(detail)" }
}

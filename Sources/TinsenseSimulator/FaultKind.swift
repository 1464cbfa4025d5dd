/// The ways an instrument (or, for `trip`, the process) can misbehave in the simulator.
///
/// Each kind is what a detector or the validator must catch in a real tin plant: a fouled
/// XRF window drifts, a froth-level float sticks, a gateway truncates a payload, a crusher
/// trips on low lube-oil flow.
package enum FaultKind: String, Sendable, Hashable, CaseIterable {
    /// A short excursion of half the plausible window, then back to normal.
    case spike
    /// A ramp that grows linearly to 40 % of the plausible window by the end of the window.
    case drift
    /// The reading freezes at its value when the fault began (flatline).
    case stuck
    /// The sensor publishes nothing.
    case dropout
    /// A sudden offset of a quarter of the plausible window for the whole window.
    case step
    /// Measurement noise of 8 % of the plausible window on top of the signal.
    case noise
    /// Values 10 % of the instrument span beyond its upper limit.
    case outOfRange = "out_of_range"
    /// Payloads that no decoder can read (truncated, broken numbers, binary, empty).
    case malformed
    /// A process event rather than a sensor fault: the named crusher stops for the window,
    /// its motor and the belts coast to ~0 within 5 s, then restart over 30 s.
    case trip

    /// Accepts the canonical names and the common synonyms operators use.
    package init?(name: some StringProtocol) {
        switch name.lowercased() {
        case "spike": self = .spike
        case "drift": self = .drift
        case "stuck", "flatline", "frozen": self = .stuck
        case "dropout", "gap": self = .dropout
        case "step": self = .step
        case "noise", "noise_burst": self = .noise
        case "out_of_range", "out-of-range", "oor": self = .outOfRange
        case "malformed": self = .malformed
        case "trip": self = .trip
        default: return nil
        }
    }

    /// Window length used when a fault is written without `+DURATION`, in ms.
    var defaultDurationMilliseconds: Int64 {
        switch self {
        case .spike: 3_000
        case .drift: 300_000
        case .stuck: 120_000
        case .dropout: 30_000
        case .step: 120_000
        case .noise: 60_000
        case .outOfRange: 10_000
        case .malformed: 10_000
        case .trip: 120_000
        }
    }

    /// The fewest readings of a sensor a fault of this kind must span to exist in that
    /// sensor's data at all (the random fault plan's rule, docs/DETECTION.md):
    ///
    /// - `spike`, `out_of_range`, `malformed`: 1 — one bad reading is the whole fault;
    /// - `step`: 5 — a level held for several readings (one or two is a spike);
    /// - `noise`, `drift`: 10 — a spread or a trend is a property of many readings (the
    ///   spread of 10 readings is known to about ±25 %);
    /// - `stuck`: 20 — healthy quantised instruments repeat a value now and then (an XRF
    ///   stream at 2–3 decimals a few per cent of the time), so only a long run of one value
    ///   is a stuck instrument; a stuck analyzer stays stuck until someone clears it, hours;
    /// - `dropout`: the sensor's stale-after time plus one reading, so the deadman sees it;
    /// - `trip`: 0 — a process event, not a sensor's.
    package func minimumReadings(staleAfterMilliseconds: Int64, periodMilliseconds: Int64) -> Int {
        switch self {
        case .spike, .outOfRange, .malformed: 1
        case .step: 5
        case .noise, .drift: 10
        case .stuck: 20
        case .dropout: Int((staleAfterMilliseconds + periodMilliseconds - 1) / max(1, periodMilliseconds)) + 1
        case .trip: 0
        }
    }
}

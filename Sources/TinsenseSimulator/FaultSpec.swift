import TinsenseCore

/// One fault to inject: what, on which sensors, and when (relative to the simulation start).
///
/// Times are offsets rather than absolute timestamps so the same spec reproduces the same
/// incident on any start date.
package struct FaultSpec: Sendable, Hashable {
    package var kind: FaultKind
    /// A sensor id or `SensorPattern` (`*/pulp_ph`, `xrf01/tails_*`, `cell0[1-3]/pulp_ph`).
    /// For `trip` it names crushers (`crusher01`, `crusher*`).
    package var selector: String
    package var startOffsetMilliseconds: Int64
    package var durationMilliseconds: Int64

    package init(kind: FaultKind, selector: String, startOffsetMilliseconds: Int64, durationMilliseconds: Int64) {
        self.kind = kind
        self.selector = selector
        self.startOffsetMilliseconds = startOffsetMilliseconds
        self.durationMilliseconds = durationMilliseconds
    }

    /// The selected sensors on which this window is shorter than the rule of the random plan
    /// (`SimulatedSensor.minimumFaultDurationMilliseconds`): the fault spans too few of their
    /// readings to be seen reliably, or any. Explicit faults are kept as given; this is for
    /// a warning.
    package func tooShort(in sensors: [SimulatedSensor]) -> [SimulatedSensor] {
        guard kind != .trip else { return [] }
        return sensors.filter { selects($0.id) && durationMilliseconds < $0.minimumFaultDurationMilliseconds(kind) }
    }

    /// Whether `name` (a sensor id, or a crusher for `trip`) is selected.
    package func selects(_ name: String) -> Bool {
        SensorPattern(selector).matches(name)
    }
}

import TinsenseCore

/// The plant model and run length from the options `tinsense simulate` and `tinsense
/// evaluate faults --simulate` share (`--duration`, `--seed`, `--faults`, `--start`), with
/// a warning for each explicit fault too short to show in its sensors' data.
package struct SimulationSetup: Sendable {
    package var model: PlantModel
    package var durationMilliseconds: Int64
    /// One line per explicit fault too short for some sensor it selects.
    package var warnings: [String] = []

    /// - Parameters:
    ///   - start: `now`, an RFC 3339 time, or `-DURATION` before `now`.
    ///   - now: the wall-clock time `start` is relative to (the caller reads the clock).
    /// - Throws: `SimulationSetupError` naming the option that does not parse.
    package init(duration: String, seed: UInt64, faults: String?, start: String, now: Timestamp) throws(SimulationSetupError) {
        guard let durationMs = DurationText.milliseconds(duration), durationMs > 0 else {
            throw SimulationSetupError(description: "--duration '\(duration)': expected a positive duration such as 60s, 5m, 2h")
        }
        let startTime = try Self.parseStart(start, now: now)
        var faultSpecs: [FaultSpec] = []
        if let faults {
            do {
                faultSpecs = try FaultSpecParser.parse(faults, seed: seed, horizonMilliseconds: durationMs)
            } catch {
                throw SimulationSetupError(description: "--faults: \(error.description)")
            }
        }
        model = PlantModel(seed: seed, start: startTime, faults: faultSpecs)
        durationMilliseconds = durationMs
        for fault in faultSpecs {
            let short = fault.tooShort(in: model.sensors)
            guard let first = short.first else { continue }
            let readings = fault.kind.minimumReadings(
                staleAfterMilliseconds: Int64(first.staleAfterSeconds) * 1000, periodMilliseconds: first.periodMilliseconds)
            let others = short.count > 1 ? " and \(short.count - 1) more" : ""
            warnings.append(
                "\(fault.kind.rawValue):\(fault.selector) lasts \(DurationText.format(fault.durationMilliseconds)), "
                + "under \(readings) readings of \(first.id)\(others) (one every \(DurationText.format(first.periodMilliseconds))); "
                + "it may not show in the data (kept as given)")
        }
    }

    /// `now`, an RFC 3339 time, or `-DURATION` before `now`.
    package static func parseStart(_ start: String, now: Timestamp) throws(SimulationSetupError) -> Timestamp {
        if start.lowercased() == "now" { return now }
        if start.hasPrefix("-"), let before = DurationText.milliseconds(start.dropFirst()) {
            return now.adding(milliseconds: -before)
        }
        guard let parsed = RFC3339.parse(start) else {
            throw SimulationSetupError(description: "--start '\(start)': expected now, an RFC 3339 time (2026-03-02T06:00:00Z) or -DURATION (-1h)")
        }
        return parsed
    }
}

/// An option of a simulation that does not parse; the description names the option.
package struct SimulationSetupError: Error, Sendable, Hashable, CustomStringConvertible {
    package var description: String

    package init(description: String) { self.description = description }
}

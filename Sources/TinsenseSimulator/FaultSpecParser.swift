import TinsenseCore
/// Parses the `--faults` text of `tinsense simulate`.
///
/// Grammar (items separated by commas, no spaces needed):
/// ```
/// ITEM     = KIND ":" SELECTOR "@" OFFSET [ "+" DURATION ]   e.g. spike:crusher01/vibration@30s+5s
///          | "random:" COUNT                                e.g. random:5
/// KIND     = spike | drift | stuck | dropout | step | noise | out_of_range | malformed | trip
/// SELECTOR = sensor id or `SensorPattern` (drift:*/pulp_ph), crusher name or pattern for trip (trip:crusher01)
/// OFFSET, DURATION = 1500ms | 30s | 5m | 2h | bare seconds; DURATION defaults per kind
/// ```
/// `random:N` places N faults of random sensor kinds on random sensors, reproducibly from
/// the seed, between 10 % and 90 % of the run, never two on one sensor at once.
package enum FaultSpecParser {
    package struct ParseError: Error, CustomStringConvertible, Sendable {
        package var description: String
    }

    /// Resolves the spec text into concrete faults. `horizonMilliseconds` is the run length
    /// (needed to place random faults); selectors that match nothing are an error, so a typo
    /// is not a silently clean run.
    package static func parse(
        _ text: String, seed: UInt64, horizonMilliseconds: Int64, sensors: [SimulatedSensor] = PilotPlant.sensors
    ) throws(ParseError) -> [FaultSpec] {
        var faults: [FaultSpec] = []
        var randomCount = 0
        for rawItem in text.split(separator: ",", omittingEmptySubsequences: true) {
            let item = rawItem.filter { $0 != " " }
            guard let colon = item.firstIndex(of: ":") else {
                throw ParseError(description: "fault '\(item)': expected KIND:SELECTOR@OFFSET[+DURATION] or random:N")
            }
            let head = item[..<colon]
            let rest = item[item.index(after: colon)...]
            if head.lowercased() == "random" {
                guard let count = Int(rest), count >= 0, count <= 10_000 else {
                    throw ParseError(description: "fault '\(item)': random:N needs a count between 0 and 10000")
                }
                randomCount += count
                continue
            }
            guard let kind = FaultKind(name: head) else {
                let known = FaultKind.allCases.map(\.rawValue).joined(separator: ", ")
                throw ParseError(description: "fault '\(item)': unknown kind '\(head)' (known: \(known))")
            }
            guard let at = rest.firstIndex(of: "@") else {
                throw ParseError(description: "fault '\(item)': missing @OFFSET (e.g. @30s)")
            }
            let selector = String(rest[..<at])
            let timing = rest[rest.index(after: at)...]
            let timingParts = timing.split(separator: "+", maxSplits: 1, omittingEmptySubsequences: false)
            guard let offset = DurationText.milliseconds(timingParts[0]) else {
                throw ParseError(description: "fault '\(item)': bad offset '\(timingParts[0])' (use 30s, 5m, 1500ms)")
            }
            var duration = kind.defaultDurationMilliseconds
            if timingParts.count == 2 {
                guard let d = DurationText.milliseconds(timingParts[1]), d > 0 else {
                    throw ParseError(description: "fault '\(item)': bad duration '\(timingParts[1])' (use 5s, 2m)")
                }
                duration = d
            }
            let fault = FaultSpec(kind: kind, selector: selector, startOffsetMilliseconds: offset, durationMilliseconds: duration)
            let candidates = kind == .trip ? PilotPlant.crushers : sensors.map(\.id)
            guard !selector.isEmpty, candidates.contains(where: fault.selects) else {
                let what = kind == .trip ? "crusher (\(PilotPlant.crushers.joined(separator: ", ")))" : "sensor id"
                throw ParseError(description: "fault '\(item)': selector '\(selector)' matches no \(what)")
            }
            faults.append(fault)
        }
        if randomCount > 0 {
            faults += RandomFaultPlan.faults(count: randomCount, seed: seed, horizonMilliseconds: horizonMilliseconds, sensors: sensors)
        }
        return faults
    }
}

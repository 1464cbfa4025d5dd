/// Places `random:N` faults reproducibly: the detector benchmark needs many labelled
/// incidents without anyone writing them by hand, and the same seed must give the same ones.
enum RandomFaultPlan {
    /// Sensor-level kinds only; a trip is a plant event that a benchmark asks for explicitly.
    static let kinds: [FaultKind] = [.spike, .drift, .stuck, .dropout, .step, .noise, .outOfRange, .malformed]

    static func faults(count: Int, seed: UInt64, horizonMilliseconds: Int64, sensors: [SimulatedSensor]) -> [FaultSpec] {
        guard !sensors.isEmpty, horizonMilliseconds > 0 else { return [] }
        var generator = SplitMix64.derived(from: seed, name: "random-faults")
        var placed: [(sensor: String, window: Range<Int64>)] = []
        var faults: [FaultSpec] = []
        for _ in 0..<count {
            // A few tries to find a sensor that is free at the drawn time; give up quietly
            // on a crowded short run rather than stack faults on one sensor.
            for _ in 0..<20 {
                let kind = kinds[Int(generator.next() % UInt64(kinds.count))]
                let sensor = sensors[Int(generator.next() % UInt64(sensors.count))]
                let duration = durationMilliseconds(kind, period: sensor.periodMilliseconds, generator: &generator)
                let earliest = horizonMilliseconds / 10
                // A slow sensor (XRF: 3 assays = 12 min) cannot show a fault in a short run.
                guard duration <= horizonMilliseconds * 8 / 10 else { continue }
                let latest = horizonMilliseconds * 9 / 10 - duration
                let start = earliest + Int64(generator.nextUnit() * Double(latest - earliest))
                let window = start..<(start + duration)
                if placed.contains(where: { $0.sensor == sensor.id && $0.window.overlaps(window) }) { continue }
                placed.append((sensor.id, window))
                faults.append(FaultSpec(kind: kind, selector: sensor.id, startOffsetMilliseconds: start, durationMilliseconds: duration))
                break
            }
        }
        return faults
    }

    /// Durations typical of each kind, stretched to cover at least three samples of slow
    /// sensors (an XRF stream reports every 4 minutes) so every fault is visible.
    private static func durationMilliseconds(_ kind: FaultKind, period: Int64, generator: inout SplitMix64) -> Int64 {
        let seconds: ClosedRange<Double> = switch kind {
        case .spike: 2...5
        case .drift: 120...600
        case .stuck: 60...300
        case .dropout: 15...90
        case .step: 60...300
        case .noise: 30...120
        case .outOfRange: 3...15
        case .malformed: 3...15
        case .trip: 60...300
        }
        let drawn = Int64((seconds.lowerBound + generator.nextUnit() * (seconds.upperBound - seconds.lowerBound)) * 1000)
        return max(drawn, 3 * period)
    }
}

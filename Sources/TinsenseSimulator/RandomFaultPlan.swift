import TinsenseCore

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
                let duration = durationMilliseconds(kind, sensor: sensor, generator: &generator)
                let earliest = horizonMilliseconds / 10
                // A slow sensor's fault (XRF stuck: 80–160 min) may not fit a short run.
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

    /// A duration typical of each kind on a 1 Hz process tag, stretched for slower sensors to
    /// span between N and 2N of the sensor's readings, N = `FaultKind.minimumReadings`:
    /// a fault must exist in the sensor's data. On an XRF stream (one assay every 4 minutes)
    /// a stuck analyzer then lasts 80–160 minutes, a drift or a noise burst 40–80, a step
    /// 20–40, a spike one or two assays; field analyzers stay stuck or fouled for hours.
    private static func durationMilliseconds(_ kind: FaultKind, sensor: SimulatedSensor, generator: inout SplitMix64) -> Int64 {
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
        let stretch = 1 + generator.nextUnit()
        let minimum = Int64(Double(sensor.minimumFaultDurationMilliseconds(kind)) * stretch)
        return max(drawn, minimum)
    }
}

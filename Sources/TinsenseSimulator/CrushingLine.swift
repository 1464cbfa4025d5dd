import TinsenseCore

/// The crushing line's throughput over time, shared by every load-coupled signal.
///
/// Plant feed wanders around 28 t/h. The jaw crusher passes it on; the cone crusher sees the
/// jaw's product 20 s later (belt transit). A trip of either crusher stops both belts
/// (interlock): the tripped crusher's power, current and vibration and both belts' feed fall
/// to ~0 together, while the other crusher idles without load — the pattern alert inhibition
/// must recognise. Pure function of time.
struct CrushingLine: Sendable {
    static let nominalFeedTonnesPerHour = 28.0
    static let feedSwingTonnesPerHour = 6.0
    static let beltTransitMilliseconds: Int64 = 20_000
    /// Coast-down after a trip; slow enough that motor power stays under its `max_rate`.
    static let stopRampMilliseconds: Int64 = 5_000
    static let restartRampMilliseconds: Int64 = 30_000

    /// A stopped interval of one crusher, in ms since the simulation start.
    struct Stop: Sendable {
        var crusher: Int
        var window: Range<Int64>
    }

    let feedWander: SmoothWander
    let stops: [Stop]

    init(seed: UInt64, stops: [Stop]) {
        var generator = SplitMix64.derived(from: seed, name: "crushing-feed")
        feedWander = SmoothWander(generator: &generator)
        self.stops = stops
    }

    /// 1 while crusher `crusher` (1 or 2) runs, 0 while stopped, ramps in between.
    func running(_ crusher: Int, atMilliseconds t: Int64) -> Double {
        var factor = 1.0
        for stop in stops where stop.crusher == crusher {
            let start = stop.window.lowerBound, end = stop.window.upperBound
            let stopped: Double
            if t < start {
                stopped = 0
            } else if t < end {
                stopped = min(1, Double(t - start) / Double(Self.stopRampMilliseconds))
            } else {
                let wasStopped = min(1, Double(end - start) / Double(Self.stopRampMilliseconds))
                stopped = wasStopped * max(0, 1 - Double(t - end) / Double(Self.restartRampMilliseconds))
            }
            factor = min(factor, 1 - stopped)
        }
        return factor
    }

    /// Dry solids through crusher `crusher` in t/h.
    func throughput(_ crusher: Int, atMilliseconds t: Int64) -> Double {
        let interlock = running(1, atMilliseconds: t) * running(2, atMilliseconds: t)
        let feed = Self.nominalFeedTonnesPerHour + Self.feedSwingTonnesPerHour * feedWander.value(atSeconds: Double(t) / 1000)
        if crusher == 1 { return feed * interlock }
        let transit = t - Self.beltTransitMilliseconds
        let arriving = Self.nominalFeedTonnesPerHour
            + Self.feedSwingTonnesPerHour * feedWander.value(atSeconds: Double(transit) / 1000)
        return arriving * running(1, atMilliseconds: transit) * interlock
    }

    /// The level of a load-coupled signal, averaged over its thermal lag when it has one.
    func level(
        crusher: Int, base: Double, runningExtra: Double, perTonnePerHour: Double,
        averagedOverSeconds: Int, atMilliseconds t: Int64
    ) -> Double {
        func instant(_ time: Int64) -> Double {
            base + runningExtra * running(crusher, atMilliseconds: time) + perTonnePerHour * throughput(crusher, atMilliseconds: time)
        }
        guard averagedOverSeconds > 0 else { return instant(t) }
        let points = 24
        let step = Int64(averagedOverSeconds) * 1000 / Int64(points)
        var sum = 0.0
        for k in 0..<points { sum += instant(t - Int64(k) * step) }
        return sum / Double(points)
    }
}

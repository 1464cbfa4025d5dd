import Foundation
import Testing
import TinsenseCore
import TinsenseSimulator

/// The random fault plan's duration rule, and the in-process evaluation built on the plant
/// (`tinsense simulate --csv`, `tinsense evaluate faults --simulate`).
@Suite("Simulator fault durations and offline runs")
struct SimulatorFaultDurationTests {
    static let start = SimulatorModelTests.start

    @Test("each kind's minimum span in readings: one bad reading for a spike, twenty for stuck, stale_after + 1 for a dropout")
    func minimumReadings() {
        let xrf = SimulatorModelTests.sensor("xrf01/tails_sn")      // 240 s period, stale after 900 s
        let ph = SimulatorModelTests.sensor("cell01/pulp_ph")       // 1 s period, stale after 5 s
        #expect(xrf.minimumFaultDurationMilliseconds(.spike) == 240_000)
        #expect(xrf.minimumFaultDurationMilliseconds(.step) == 5 * 240_000)
        #expect(xrf.minimumFaultDurationMilliseconds(.noise) == 10 * 240_000)
        #expect(xrf.minimumFaultDurationMilliseconds(.drift) == 10 * 240_000)
        #expect(xrf.minimumFaultDurationMilliseconds(.stuck) == 20 * 240_000)
        #expect(xrf.minimumFaultDurationMilliseconds(.dropout) == 5 * 240_000)  // ⌈900/240⌉ + 1
        #expect(ph.minimumFaultDurationMilliseconds(.dropout) == 6_000)
        #expect(ph.minimumFaultDurationMilliseconds(.stuck) == 20_000)
        #expect(ph.minimumFaultDurationMilliseconds(.trip) == 0)
    }

    @Test("random faults span at least their kind's minimum of their sensor's readings, in the generated data", arguments: [UInt64(3), 7, 11])
    func randomFaultsSpanEnoughReadings(seed: UInt64) throws {
        let horizon: Int64 = 86_400_000
        let faults = try FaultSpecParser.parse("random:200", seed: seed, horizonMilliseconds: horizon)
        #expect(faults.count == 200)
        var slow = 0
        for fault in faults {
            let sensor = SimulatorModelTests.sensor(fault.selector)
            let minimum = fault.kind.minimumReadings(
                staleAfterMilliseconds: Int64(sensor.staleAfterSeconds) * 1000, periodMilliseconds: sensor.periodMilliseconds)
            #expect(fault.durationMilliseconds >= Int64(minimum) * sensor.periodMilliseconds, "\(fault)")
            // Stretched to at most 2N readings, or the typical 1 Hz duration (≤ 10 min).
            #expect(fault.durationMilliseconds <= max(600_000, 2 * Int64(minimum) * sensor.periodMilliseconds), "\(fault)")
            #expect(fault.tooShort(in: PilotPlant.sensors).isEmpty)
            guard sensor.periodMilliseconds >= 10_000 else { continue }
            // Slow sensors: count the readings the window really holds (only this sensor is
            // generated; its samples do not depend on the rest of the plant).
            slow += 1
            let end = fault.startOffsetMilliseconds + fault.durationMilliseconds + sensor.periodMilliseconds
            let (model, messages) = SimulatorModelTests.run(seed: seed, faults: [fault], seconds: end / 1000 + 1, sensors: [sensor])
            let (_, clean) = SimulatorModelTests.run(seed: seed, seconds: end / 1000 + 1, sensors: [sensor])
            let label = try #require(model.labels.first)
            let inside = (fault.kind == .dropout ? clean : messages).filter { label.contains($0.time) }
            #expect(inside.count >= minimum, "\(fault): \(inside.count) readings in the window")
            if fault.kind == .stuck, sensor.id.hasPrefix("xrf01/") {
                #expect(fault.durationMilliseconds >= 80 * 60_000, "a stuck analyzer stays stuck for more than an hour")
                #expect(Set(messages.filter { label.contains($0.time) }.map(\.sentValue)).count == 1)
            }
        }
        #expect(slow > 10, "the plan reaches the slow sensors too")
    }

    @Test("explicit faults are kept as given, even too short to show; tooShort names the sensors they are too short for")
    func explicitFaultsKeptAsGiven() throws {
        let faults = try FaultSpecParser.parse(
            "stuck:xrf01/tails_*@1h+2m,stuck:xrf01/tails_sn@1h+2h,stuck:cell01/pulp_ph@1h+2m,spike:xrf01/feed_sn@30m+1s",
            seed: 1, horizonMilliseconds: 14_400_000)
        #expect(faults.map(\.durationMilliseconds) == [120_000, 7_200_000, 120_000, 1_000])
        #expect(faults[0].tooShort(in: PilotPlant.sensors).map(\.id) == ["xrf01/tails_sn", "xrf01/tails_fe", "xrf01/tails_as", "xrf01/tails_density"])
        #expect(faults[1].tooShort(in: PilotPlant.sensors).isEmpty)
        #expect(faults[2].tooShort(in: PilotPlant.sensors).isEmpty)   // 120 readings of a 1 Hz tag
        #expect(faults[3].tooShort(in: PilotPlant.sensors).map(\.id) == ["xrf01/feed_sn"])
    }
}

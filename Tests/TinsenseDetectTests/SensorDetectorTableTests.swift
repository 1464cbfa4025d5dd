import Testing
import TinsenseCore
@testable import TinsenseDetect
import TinsenseTestSupport

/// `SensorDetectorTable`: detectors found by the validator's sensor slot instead of a map by id.
@Suite("sensor detector table")
struct SensorDetectorTableTests {
    static func time(_ k: Int) -> Timestamp { Timestamp(millisecondsSinceEpoch: 1_767_225_600_000 + Int64(k) * 1000) }

    /// A noisy level with a step at reading 400, per sensor a different level.
    static func value(_ sensor: Int, _ k: Int) -> Double {
        var rng = SplitMix64(steppedSeed: UInt64(sensor * 100_000 + k))
        return Double(10 * sensor) + (k >= 400 ? 5 : 0) + 0.1 * rng.standardNormal()
    }

    @Test("scores are exactly those of one detector per sensor, whatever the order slots are first used in")
    func sameAsOneDetectorEach() {
        let spec = DetectorSpec.default
        var table = SensorDetectorTable()
        var own = (0..<4).map { _ in spec.makeDetector() }
        var made = 0
        // Slots used out of order (3 first): the table grows to hold them.
        let slots = [3, 0, 2, 1]
        for k in 0..<600 {
            for (sensor, slot) in slots.enumerated() {
                let x = Self.value(sensor, k)
                let got = table.observe(slot: slot, sensor: "s\(sensor)", time: Self.time(k), value: x) {
                    made += 1
                    return spec.makeDetector()
                }
                let want = own[sensor].observe(time: Self.time(k), value: x)
                #expect(got.score == want.score, "sensor \(sensor) reading \(k)")
            }
        }
        #expect(made == 4)
        #expect(table.count == 4)
    }

    @Test("a slot that another sensor now holds starts that sensor with a new detector")
    func reusedSlotStartsOver() {
        let spec = DetectorSpec.default
        var table = SensorDetectorTable()
        for k in 0..<500 { _ = table.observe(slot: 0, sensor: "old", time: Self.time(k), value: Self.value(0, k)) { spec.makeDetector() } }
        var fresh = spec.makeDetector()
        var made = 0
        for k in 0..<50 {
            // A level of 1,000 after "old"'s 0–5: a detector that kept "old"'s windows would flag it.
            let x = 1_000 + Self.value(0, k)
            let got = table.observe(slot: 0, sensor: "new", time: Self.time(600 + k), value: x) {
                made += 1
                return spec.makeDetector()
            }
            #expect(got.score == fresh.observe(time: Self.time(600 + k), value: x).score)
        }
        #expect(made == 1)
        #expect(table.count == 1)
    }

    @Test("removeAll drops the sensors named and counts what it kept")
    func removeAll() {
        var table = SensorDetectorTable()
        for slot in [0, 1, 5, 7] {
            _ = table.observe(slot: slot, sensor: "s\(slot)", time: Self.time(0), value: 1) { DetectorSpec.default.makeDetector() }
        }
        #expect(table.count == 4)
        let counts = table.removeAll { $0 == "s1" || $0 == "s7" }
        #expect(counts == (kept: 2, removed: 2))
        #expect(table.count == 2)
        var made = 0
        _ = table.observe(slot: 1, sensor: "s1", time: Self.time(1), value: 1) { made += 1; return DetectorSpec.default.makeDetector() }
        _ = table.observe(slot: 5, sensor: "s5", time: Self.time(1), value: 1) { made += 1; return DetectorSpec.default.makeDetector() }
        #expect(made == 1, "s5 kept its detector, s1 got a new one")
    }
}

import Testing
@testable import TinsensePlot

@Suite("plot axes")
struct TickTests {
    @Test("value ticks are 1, 2 or 5 times a power of ten and cover the data")
    func valueTicks() {
        let a = ValueTicks(minimum: 3.2, maximum: 97.4, target: 5)
        #expect(a.step == 20 && a.low <= 3.2 && a.high >= 97.4)
        #expect(a.ticks.map(a.label) == ["0", "20", "40", "60", "80", "100"])
        let b = ValueTicks(minimum: 0.012, maximum: 0.049, target: 4)
        #expect(b.step == 0.01 && b.ticks.map(b.label) == ["0.01", "0.02", "0.03", "0.04", "0.05"])
        let c = ValueTicks(minimum: 1_250, maximum: 1_250)
        #expect(c.low < 1_250 && c.high > 1_250)
    }

    @Test("a lone value reads with six significant digits and no trailing zeros")
    func compactValues() {
        #expect(["9999", "0.00125", "-12.5", "1.5e9", "0"] == [9999, 0.00125, -12.5, 1.5e9, 0].map(ValueTicks.compact))
    }

    @Test("time ticks fall on whole units of a readable step, labelled as finely as the step")
    func timeTicks() {
        let start: Int64 = 1_764_547_200_000 + 7 * 60_000 // 2025-12-01T00:07Z
        let twoHours = TimeTicks(from: start, to: start + 7_200_000, target: 8)
        #expect(twoHours.step == 900_000)
        #expect(twoHours.ticks.first?.label == "00:15" && twoHours.ticks.first?.date == "2025-12-01")
        #expect(twoHours.ticks.allSatisfy { $0.time % 900_000 == 0 })
        let minute = TimeTicks(from: start, to: start + 60_000, target: 6)
        #expect(minute.step == 10_000 && minute.ticks.first?.label == "00:07:00")
        let days = TimeTicks(from: start, to: start + 10 * 86_400_000, target: 8)
        #expect(days.step == 172_800_000 && days.ticks.first?.label.count == 10)
        let crossing = TimeTicks(from: start + 22 * 3_600_000, to: start + 27 * 3_600_000, target: 5)
        #expect(crossing.ticks.compactMap(\.date) == ["2025-12-01", "2025-12-02"])
    }
}

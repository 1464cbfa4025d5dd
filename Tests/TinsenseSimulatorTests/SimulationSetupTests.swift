import Testing
import TinsenseCore
import TinsenseSimulator

@Suite("simulation setup from options")
struct SimulationSetupTests {
    static let now = Timestamp(millisecondsSinceEpoch: 1_772_431_200_000)  // 2026-03-02T06:00:00Z

    @Test("start: now, an RFC 3339 time, or a duration before now")
    func start() throws {
        #expect(try SimulationSetup.parseStart("now", now: Self.now) == Self.now)
        #expect(try SimulationSetup.parseStart("-1h", now: Self.now) == Self.now.adding(milliseconds: -3_600_000))
        #expect(try SimulationSetup.parseStart("2026-03-01T00:00:00Z", now: Self.now) == RFC3339.parse("2026-03-01T00:00:00Z"))
        #expect(throws: SimulationSetupError.self) { try SimulationSetup.parseStart("yesterday", now: Self.now) }
    }

    @Test("each bad option is named in the error")
    func errors() {
        func message(duration: String = "1h", faults: String? = nil, start: String = "now") -> String? {
            do {
                _ = try SimulationSetup(duration: duration, seed: 1, faults: faults, start: start, now: Self.now)
                return nil
            } catch {
                return error.description
            }
        }
        #expect(message(duration: "0s")?.hasPrefix("--duration '0s'") == true)
        #expect(message(faults: "spike:nosuch/sensor@1m")?.hasPrefix("--faults: ") == true)
        #expect(message(start: "soon")?.hasPrefix("--start 'soon'") == true)
    }

    @Test("an explicit fault too short for its sensor is kept and warned about")
    func shortFaultWarning() throws {
        let setup = try SimulationSetup(duration: "30m", seed: 1, faults: "stuck:xrf01/tails_sn@10m+4m", start: "now", now: Self.now)
        #expect(setup.durationMilliseconds == 1_800_000)
        #expect(setup.model.labels.count == 1)
        #expect(setup.warnings.count == 1)
        #expect(setup.warnings.first?.hasPrefix("stuck:xrf01/tails_sn lasts 4m, under 20 readings of xrf01/tails_sn") == true)
    }
}

import Testing
@testable import TinsenseDetect

@Suite("detector spec")
struct DetectorSpecTests {
    @Test("'default' expands to the default set and overrides reach the right detector")
    func defaultAndOverrides() throws {
        let spec = try DetectorSpec(names: ["default", "zscore"], overrides: ["zscore.window": "5m", "cusum.slack": "1.5"])
        #expect(spec.detectors == DetectorSpec.defaultDetectors + [.zscore])
        #expect(spec.zscore.window == .duration(milliseconds: 300_000, maxSamples: WindowLength.defaultMaxSamples))
        #expect(spec.drift.slack == 1.5)
    }

    @Test("an unknown key is named in the error")
    func unknownKey() {
        #expect(throws: DetectorSpecError.unknownKey(key: "zscore.windw", known: DetectorSpec.parameterKeys.map(\.key))) {
            try DetectorSpec(names: ["zscore"], overrides: ["zscore.windw": "3"])
        }
    }

    @Test("a bad value names the key, the value and what was expected")
    func badValue() {
        do {
            _ = try DetectorSpec(names: ["mad"], overrides: ["mad.window": "-5"])
            Issue.record("accepted a negative window")
        } catch {
            #expect(error.description.contains("mad.window"))
            #expect(error.description.contains("-5"))
        }
    }

    @Test("an unknown detector name lists the known ones")
    func unknownDetector() {
        do {
            _ = try DetectorSpec(names: ["prophet"])
            Issue.record("accepted an unknown detector")
        } catch {
            #expect(error.description.contains("prophet") && error.description.contains("level_shift"))
        }
    }

    @Test("window.max_samples caps time windows whatever the key order")
    func maxSamplesFirst() throws {
        let spec = try DetectorSpec(names: ["mad"], overrides: ["mad.window": "1h", "window.max_samples": "100"])
        #expect(spec.mad.window.capacity == 100)
    }
}

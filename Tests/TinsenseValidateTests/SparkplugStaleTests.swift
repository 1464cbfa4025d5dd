import Testing
import TinsenseCore
import TinsenseDecode
@testable import TinsenseValidate

private let t0 = Timestamp(millisecondsSinceEpoch: 1_767_225_600_000)

@Suite("Sparkplug items in validation")
struct SparkplugStaleTests {
    static func validator(staleAfter: Int64? = 60_000) -> Validator {
        var spec = SensorSpec(topic: try! TopicPattern("spBv1.0/g/+/n/{device}"), format: PayloadFormat(.sparkplug), idTemplate: "{device}/{metric}")
        spec.staleAfterMs = staleAfter
        return Validator(catalog: SensorCatalog(specs: [spec]), policy: ValidationPolicy(), start: t0)
    }

    static func item(_ metric: String, device: String = "crusher01", at ms: Int64 = 0) -> DecodedItem {
        DecodedItem(value: .number(DecimalValue("1.5")!), sourceTime: t0.adding(milliseconds: ms), metric: metric,
                    topic: "spBv1.0/g/DDATA/n/\(device)")
    }

    @Test("an item's own topic wins over its message's: a released item keeps its device")
    func itemTopicWins() {
        var v = Self.validator()
        guard case .accept(let reading, _, _, _) = v.validate(topic: "spBv1.0/g/DDATA/n/cell02", item: Self.item("vibration"), receiveTime: t0) else {
            Issue.record("not accepted")
            return
        }
        #expect(reading.sensor == "crusher01/vibration")
    }

    @Test("a death marks a known sensor stale until its next reading, whatever the deadman says")
    func deathStaleUntilNextReading() {
        var v = Self.validator()
        _ = v.validate(topic: "x", item: Self.item("vibration"), receiveTime: t0)
        let t = v.markStale(topic: "spBv1.0/g/DDATA/n/crusher01", metric: "vibration", at: t0.adding(milliseconds: 1_000))
        #expect(t == Validator.StaleTransition(sensor: "crusher01/vibration", specIndex: 0, stale: true, lastReceive: t0))
        #expect(v.markStale(topic: "spBv1.0/g/DDATA/n/crusher01", metric: "vibration", at: t0) == nil)  // already stale
        #expect(v.markStale(topic: "spBv1.0/g/DDATA/n/crusher01", metric: "never_seen", at: t0) == nil)
        // Its last reading is 2 s old, well inside stale_after: the death still holds.
        #expect(v.checkStale(now: t0.adding(milliseconds: 2_000)).isEmpty)
        _ = v.validate(topic: "x", item: Self.item("vibration", at: 3_000), receiveTime: t0.adding(milliseconds: 3_000))
        #expect(v.checkStale(now: t0.adding(milliseconds: 3_100)).map(\.stale) == [false])
    }

    @Test("a sensor without a deadman also comes back after a death once it reports")
    func noDeadman() {
        var v = Self.validator(staleAfter: nil)
        _ = v.validate(topic: "x", item: Self.item("vibration"), receiveTime: t0)
        #expect(v.markStale(topic: "spBv1.0/g/DDATA/n/crusher01", metric: "vibration", at: t0) != nil)
        #expect(v.checkStale(now: t0).isEmpty)
        _ = v.validate(topic: "x", item: Self.item("vibration", at: 1_000), receiveTime: t0)
        #expect(v.checkStale(now: t0).map(\.stale) == [false])
    }
}

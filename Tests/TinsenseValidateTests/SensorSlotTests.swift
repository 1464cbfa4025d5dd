import Testing
import TinsenseCore
import TinsenseDecode
@testable import TinsenseValidate

private let t0 = Timestamp(millisecondsSinceEpoch: 1_767_225_600_000)

private func at(_ seconds: Int64) -> Timestamp { t0.adding(milliseconds: seconds * 1000) }

private func spec(_ topic: String, format: PayloadFormat.Kind = .json, metric: String? = nil, id: String? = nil) -> SensorSpec {
    SensorSpec(topic: try! TopicPattern(topic), format: PayloadFormat(format), metric: metric.map(MetricFilter.init), idTemplate: id)
}

private func reading(_ value: Int64 = 1, metric: String? = nil, ts: Int64) -> DecodedItem {
    DecodedItem(value: .number(DecimalValue(mantissa: value, scale: 0)), sourceTime: at(ts), metric: metric)
}

/// The accepted reading's sensor and slot, or nil with the reject reason recorded.
private func accepted(_ v: Verdict) -> (sensor: String, slot: Int)? {
    guard case .accept(let r, _, _, let slot) = v else {
        Issue.record("not accepted: \(v)")
        return nil
    }
    return (r.sensor, slot)
}

/// The validator gives each sensor a slot that later stages index their state by (issue 13's
/// "a sensor slot resolved once per topic"): these pin what those stages rely on.
@Suite("Validator sensor slots")
struct SensorSlotTests {
    @Test("each sensor keeps one slot for all its readings; distinct sensors have distinct slots; two topics of one id share it")
    func stablePerSensor() throws {
        // `{line}` is not in the id: both lines' `s1` are one sensor.
        var v = Validator(catalog: SensorCatalog(specs: [spec("plant/{line}/{sensor}", id: "{sensor}")]), policy: ValidationPolicy(), start: t0)
        var slotOf: [String: Int] = [:]
        for k in 0..<30 {
            let topic = "plant/line\(k % 2)/s\(k % 5)"
            let got = try #require(accepted(v.validate(topic: topic, item: reading(ts: Int64(k)), receiveTime: at(Int64(k)))))
            if let first = slotOf[got.sensor] { #expect(got.slot == first, "\(got.sensor) moved") } else { slotOf[got.sensor] = got.slot }
        }
        #expect(slotOf.count == 5)
        #expect(Set(slotOf.values) == Set(0..<5), "slots are small and dense: \(slotOf)")
        #expect(v.sensorCount == 5)
    }

    @Test("a slot survives the catalog's cache being emptied (its limit reached), for topics and for metrics")
    func survivesCacheClears() throws {
        var catalog = SensorCatalog(specs: [spec("lp/{cell}", format: .influx, metric: "*"), spec("plant/{sensor}")])
        catalog.cacheLimit = 2
        var v = Validator(catalog: catalog, policy: ValidationPolicy(), start: t0)
        var slotOf: [String: Int] = [:]
        for k in 0..<60 {
            let verdict = k % 2 == 0
                ? v.validate(topic: "plant/s\(k % 7)", item: reading(ts: Int64(k)), receiveTime: at(Int64(k)))
                : v.validate(topic: "lp/c\(k % 3)", item: reading(metric: "ph/value", ts: Int64(k)), receiveTime: at(Int64(k)))
            let got = try #require(accepted(verdict))
            if let first = slotOf[got.sensor] { #expect(got.slot == first, "\(got.sensor) moved") } else { slotOf[got.sensor] = got.slot }
        }
        #expect(slotOf.count == 7 + 3)
        #expect(Set(slotOf.values).count == 10)
    }

    @Test("a reload keeps a kept sensor's slot and state, frees a removed entry's slot for the next new sensor")
    func reloadFreesAndReuses() throws {
        let a = spec("a/{sensor}", id: "a-{sensor}"), b = spec("b/{sensor}", id: "b-{sensor}"), c = spec("c/{sensor}", id: "c-{sensor}")
        var v = Validator(catalog: SensorCatalog(specs: [a, b]), policy: ValidationPolicy(maxSeries: 2), start: t0)
        let slotA = try #require(accepted(v.validate(topic: "a/x", item: reading(ts: 0), receiveTime: at(0)))).slot
        let slotB = try #require(accepted(v.validate(topic: "b/x", item: reading(ts: 0), receiveTime: at(0)))).slot
        #expect(slotA != slotB)
        // Full: a third sensor is refused and takes no slot.
        #expect(v.validate(topic: "a/y", item: reading(ts: 0), receiveTime: at(0)).isSeriesLimit)

        v.reconfigure(catalog: SensorCatalog(specs: [b, c]), policy: ValidationPolicy(maxSeries: 2), now: at(1))
        #expect(v.sensorIDs == ["b-x"])
        #expect(v.entryIndexBySensor == ["b-x": 0])
        // b-x kept its slot and its state: the same source time is still a duplicate.
        guard case .reject(.duplicate, _, _) = v.validate(topic: "b/x", item: reading(ts: 0), receiveTime: at(2)) else {
            Issue.record("b-x lost its state in the reload")
            return
        }
        #expect(try #require(accepted(v.validate(topic: "b/x", item: reading(ts: 2), receiveTime: at(2)))).slot == slotB)
        // The new sensor takes a-x's freed slot, with a fresh state.
        let newcomer = try #require(accepted(v.validate(topic: "c/x", item: reading(ts: 0), receiveTime: at(3))))
        #expect(newcomer.sensor == "c-x" && newcomer.slot == slotA)
        #expect(v.validate(topic: "c/y", item: reading(ts: 0), receiveTime: at(3)).isSeriesLimit)
        // a-x's entry is back: a sensor new to this validator, refused while the limit holds.
        v.reconfigure(catalog: SensorCatalog(specs: [a, b, c]), policy: ValidationPolicy(maxSeries: 3), now: at(4))
        let back = try #require(accepted(v.validate(topic: "a/x", item: reading(ts: 0), receiveTime: at(5))))
        #expect(back.slot != slotA && back.slot != slotB, "a-x is not given a slot another sensor holds")
        #expect(v.sensorCount == 3)
    }

    @Test("a concrete topic's sensor is known (and has a slot) before its first reading; a reload adding one gives it a slot")
    func concreteSensors() throws {
        var v = Validator(catalog: SensorCatalog(specs: [spec("plant/p1"), spec("plant/{sensor}")]), policy: ValidationPolicy(), start: t0)
        #expect(v.sensorIDs == ["plant/p1"])
        let p1 = try #require(accepted(v.validate(topic: "plant/p1", item: reading(ts: 0), receiveTime: at(0))))
        #expect(p1.slot == 0)
        v.reconfigure(catalog: SensorCatalog(specs: [spec("plant/p1"), spec("plant/p2"), spec("plant/{sensor}")]), policy: ValidationPolicy(), now: at(1))
        #expect(v.sensorIDs.sorted() == ["plant/p1", "plant/p2"])
        #expect(try #require(accepted(v.validate(topic: "plant/p2", item: reading(ts: 1), receiveTime: at(1)))).slot == 1)
        #expect(try #require(accepted(v.validate(topic: "plant/p1", item: reading(ts: 1), receiveTime: at(1)))).slot == 0)
    }
}

extension Verdict {
    fileprivate var isSeriesLimit: Bool { if case .reject(.seriesLimit, _, _) = self { true } else { false } }
}

import Testing
import Foundation
import TinsenseCore
import TinsenseDecode
@testable import TinsenseValidate

/// Receive times in these tests are around 2026-01-01T00:00:00Z.
private let t0 = Timestamp(millisecondsSinceEpoch: 1_767_225_600_000)

private func at(_ offsetMs: Int64) -> Timestamp { t0.adding(milliseconds: offsetMs) }

private func dv(_ text: String) -> DecimalValue { DecimalValue(text)! }

private func decoded(_ value: String, ts: Int64? = nil, unit: String? = nil, quality: Quality? = nil) -> DecodedItem {
    DecodedItem(value: .number(dv(value)), sourceTime: ts.map(at), unit: unit, quality: quality)
}

private let phTopic = "tinmine/p1/flotation/c1/cell3/pulp_ph"
private let phID = "cell3/pulp_ph"

private func phSpec(rateAction: SensorSpec.RateAction = .downgrade) -> SensorSpec {
    SensorSpec(
        topic: try! TopicPattern("tinmine/+/flotation/+/{equipment}/pulp_ph"), idTemplate: "{equipment}/pulp_ph",
        unit: "[pH]", range: 0...14, plausible: 5...8, maxRatePerSecond: 0.5, rateAction: rateAction,
        periodMs: 1000, staleAfterMs: 5000
    )
}

private func validator(_ specs: [SensorSpec] = [phSpec()], policy: ValidationPolicy = ValidationPolicy(), start: Timestamp = t0) -> Validator {
    Validator(catalog: SensorCatalog(specs: specs), policy: policy, start: start)
}

extension Verdict {
    var reading: Reading? { if case .accept(let r, _, _, _) = self { r } else { nil } }
    var downgrades: [Downgrade]? { if case .accept(_, _, let d, _) = self { d } else { nil } }
    var rejectReason: RejectReason? { if case .reject(let r, _, _) = self { r } else { nil } }
    var rejectSensor: String?? { if case .reject(_, _, let s) = self { s } else { nil } }
    var rejectDetail: String? { if case .reject(_, let d, _) = self { d } else { nil } }
}

@Suite("Validator rules")
struct ValidatorRuleTests {
    @Test("a good reading is accepted unchanged with the spec's id, unit and index")
    func accepted() throws {
        var v = validator()
        let verdict = v.validate(topic: phTopic, item: decoded("6.80", ts: -100, quality: .good), receiveTime: t0)
        guard case .accept(let r, let index, let downgrades, _) = verdict else { Issue.record("\(verdict)"); return }
        #expect(index == 0)
        #expect(downgrades.isEmpty)
        #expect(r == Reading(sensor: phID, sourceTime: at(-100), receiveTime: t0, value: dv("6.80"), unit: "[pH]", quality: .good, flags: []))
    }

    @Test("unknown topics are rejected as unknown_sensor without a sensor")
    func unknownSensor() {
        var v = validator()
        let verdict = v.validate(topic: "tinmine/p1/crushing/x/y/pulp_ph", item: decoded("7"), receiveTime: t0)
        #expect(verdict.rejectReason == .unknownSensor)
        #expect(verdict.rejectSensor == .some(nil))
        #expect(v.resolve(topic: "nowhere") == nil)
        #expect(v.resolve(topic: phTopic)?.sensorID == phID)
    }

    @Test("NaN, Infinity and null are rejected as nan, naming the sensor")
    func nan() {
        var v = validator()
        for text in ["NaN", "-Infinity", "null"] {
            let verdict = v.validate(topic: phTopic, item: DecodedItem(value: .notANumber(text)), receiveTime: t0)
            #expect(verdict.rejectReason == .nan)
            #expect(verdict.rejectSensor == .some(phID))
            #expect(verdict.rejectDetail?.contains(text) == true)
        }
    }

    @Test("a source time too far in the future is clock_skew; exactly the limit is accepted")
    func futureSkew() {
        var v = validator(policy: ValidationPolicy(maxFutureSkewMs: 60_000, maxPastAgeMs: 3_600_000, outOfOrderToleranceMs: 300_000))
        #expect(v.validate(topic: phTopic, item: decoded("6", ts: 60_001), receiveTime: t0).rejectReason == .clockSkew)
        #expect(v.validate(topic: phTopic, item: decoded("6", ts: 60_000), receiveTime: t0).reading != nil)
    }

    @Test("a source time too far in the past is clock_skew; exactly the limit is accepted")
    func pastSkew() {
        var v = validator(policy: ValidationPolicy(maxFutureSkewMs: 60_000, maxPastAgeMs: 3_600_000, outOfOrderToleranceMs: 10_000_000))
        let verdict = v.validate(topic: phTopic, item: decoded("6", ts: -3_600_001), receiveTime: t0)
        #expect(verdict.rejectReason == .clockSkew)
        #expect(verdict.rejectSensor == .some(phID))
        #expect(v.validate(topic: phTopic, item: decoded("6", ts: -3_600_000), receiveTime: t0).reading != nil)
    }

    @Test("the same (sensor, source time) again is a duplicate")
    func duplicate() {
        var v = validator()
        #expect(v.validate(topic: phTopic, item: decoded("6.5", ts: 0), receiveTime: t0).reading != nil)
        let again = v.validate(topic: phTopic, item: decoded("6.5", ts: 0), receiveTime: at(10))
        #expect(again.rejectReason == .duplicate)
        #expect(again.rejectSensor == .some(phID))
        // A different value at the same time is still a duplicate.
        #expect(v.validate(topic: phTopic, item: decoded("6.6", ts: 0), receiveTime: at(20)).rejectReason == .duplicate)
        // Other sensors are independent.
        #expect(v.validate(topic: "tinmine/p1/flotation/c1/cell4/pulp_ph", item: decoded("6.5", ts: 0), receiveTime: t0).reading != nil)
    }

    @Test("older than the newest by more than the tolerance is out_of_order; within it is accepted")
    func outOfOrder() {
        var v = validator(policy: ValidationPolicy(outOfOrderToleranceMs: 5_000))
        #expect(v.validate(topic: phTopic, item: decoded("6.5", ts: 0), receiveTime: t0).reading != nil)
        // 5 s behind: exactly the tolerance → accepted.
        let within = v.validate(topic: phTopic, item: decoded("6.5", ts: -5_000), receiveTime: t0)
        #expect(within.reading?.sourceTime == at(-5_000))
        // 5.001 s behind → out_of_order.
        let beyond = v.validate(topic: phTopic, item: decoded("6.5", ts: -5_001), receiveTime: t0)
        #expect(beyond.rejectReason == .outOfOrder)
        #expect(beyond.rejectSensor == .some(phID))
        // An accepted late reading does not move the newest time back.
        #expect(v.validate(topic: phTopic, item: decoded("6.5", ts: -4_000), receiveTime: t0).reading != nil)
        #expect(v.validate(topic: phTopic, item: decoded("6.5", ts: 1_000), receiveTime: t0).reading != nil)
        #expect(v.validate(topic: phTopic, item: decoded("6.5", ts: -4_500), receiveTime: t0).rejectReason == .outOfOrder)
    }

    @Test("outside the instrument range is out_of_range; the bounds themselves are inside")
    func outOfRange() {
        var v = validator([SensorSpec(topic: try! TopicPattern("s/{n}"), range: 0...14)])
        #expect(v.validate(topic: "s/a", item: decoded("14.01", ts: 0), receiveTime: t0).rejectReason == .outOfRange)
        #expect(v.validate(topic: "s/a", item: decoded("-0.1", ts: 1), receiveTime: t0).rejectReason == .outOfRange)
        #expect(v.validate(topic: "s/a", item: decoded("14", ts: 2), receiveTime: t0).reading != nil)
        #expect(v.validate(topic: "s/a", item: decoded("0.000", ts: 3), receiveTime: t0).reading != nil)
        let r = v.validate(topic: "s/b", item: decoded("1e3", ts: 0), receiveTime: t0)
        #expect(r.rejectReason == .outOfRange)
        #expect(r.rejectSensor == .some("s/b"))
    }

    @Test("outside the plausible window but inside the range is kept as uncertain")
    func implausible() throws {
        var v = validator()
        let verdict = v.validate(topic: phTopic, item: decoded("9.5", ts: 0, quality: .good), receiveTime: t0)
        let r = try #require(verdict.reading)
        #expect(r.quality == .uncertain)
        #expect(r.flags.contains(.qualityDowngraded))
        #expect(verdict.downgrades == [.implausible])
        #expect(r.value == dv("9.5"))
    }

    @Test("rate_of_change with rate_action downgrade keeps the reading as uncertain")
    func rateDowngrade() throws {
        var v = validator([phSpec(rateAction: .downgrade)])
        #expect(v.validate(topic: phTopic, item: decoded("6.0", ts: 0), receiveTime: t0).downgrades == [])
        // +0.5 in 1 s: exactly max_rate → fine.
        #expect(v.validate(topic: phTopic, item: decoded("6.5", ts: 1_000), receiveTime: t0).downgrades == [])
        // +0.6 in 1 s → too fast.
        let fast = v.validate(topic: phTopic, item: decoded("7.1", ts: 2_000), receiveTime: t0)
        #expect(fast.downgrades == [.rateOfChange])
        #expect(fast.reading?.quality == .uncertain)
        #expect(fast.reading?.flags.contains(.qualityDowngraded) == true)
        // A slow change over a long gap is fine (rate is per second).
        #expect(v.validate(topic: phTopic, item: decoded("7.9", ts: 4_000), receiveTime: t0).downgrades == [])
        // Falling fast counts too.
        #expect(v.validate(topic: phTopic, item: decoded("6.0", ts: 5_000), receiveTime: t0).downgrades == [.rateOfChange])
    }

    @Test("rate_of_change with rate_action quarantine rejects the reading")
    func rateQuarantine() {
        var v = validator([phSpec(rateAction: .quarantine)])
        #expect(v.validate(topic: phTopic, item: decoded("6.0", ts: 0), receiveTime: t0).reading != nil)
        let fast = v.validate(topic: phTopic, item: decoded("7.0", ts: 1_000), receiveTime: t0)
        #expect(fast.rejectReason == .rateOfChange)
        #expect(fast.rejectSensor == .some(phID))
        // The rejected value did not become the reference: 6.4 after 2 s from 6.0 is fine.
        #expect(v.validate(topic: phTopic, item: decoded("6.4", ts: 2_000), receiveTime: t0).downgrades == [])
    }

    @Test("a unit different from the configured one downgrades; a missing unit takes the spec's")
    func unitMismatch() throws {
        var v = validator()
        let other = v.validate(topic: phTopic, item: decoded("6.5", ts: 0, unit: "pH"), receiveTime: t0)
        #expect(other.downgrades == [.unitMismatch])
        #expect(other.reading?.unit == "pH")
        #expect(other.reading?.quality == .uncertain)
        let same = v.validate(topic: phTopic, item: decoded("6.5", ts: 1_000, unit: "[pH]"), receiveTime: t0)
        #expect(same.downgrades == [])
        let none = v.validate(topic: phTopic, item: decoded("6.5", ts: 2_000), receiveTime: t0)
        #expect(none.reading?.unit == "[pH]")
        #expect(none.downgrades == [])
        // Without a configured unit, any payload unit is accepted as is.
        var free = validator([SensorSpec(topic: try TopicPattern("x"))])
        let r = free.validate(topic: "x", item: decoded("1", ts: 0, unit: "bar"), receiveTime: t0)
        #expect(r.downgrades == [])
        #expect(r.reading?.unit == "bar")
    }

    @Test("several downgrades are listed together")
    func multipleDowngrades() {
        var v = validator()
        _ = v.validate(topic: phTopic, item: decoded("6.0", ts: 0), receiveTime: t0)
        let verdict = v.validate(topic: phTopic, item: decoded("9.0", ts: 1_000, unit: "pH"), receiveTime: t0)
        #expect(verdict.downgrades == [.implausible, .rateOfChange, .unitMismatch])
        #expect(verdict.reading?.quality == .uncertain)
    }

    @Test("the device's quality is kept; a downgrade never improves it (bad stays bad)", arguments: [
        (Quality.good, "6.5", Quality.good),
        (.uncertain, "6.5", .uncertain),
        (.bad, "6.5", .bad),
        (.stale, "6.5", .stale),
        (.good, "9.5", .uncertain),
        (.bad, "9.5", .bad),
        (.stale, "9.5", .stale),
    ])
    func deviceQualityKept(device: Quality, value: String, expected: Quality) {
        var v = validator()
        let r = v.validate(topic: phTopic, item: decoded(value, ts: 0, quality: device), receiveTime: t0).reading
        #expect(r?.quality == expected)
    }

    @Test("no quality in the payload means good")
    func defaultQuality() {
        var v = validator()
        #expect(v.validate(topic: phTopic, item: decoded("6.5", ts: 0), receiveTime: t0).reading?.quality == .good)
    }

    @Test("a missing ts uses the receive time and sets sourceTimeMissing")
    func missingTimestamp() throws {
        var v = validator()
        let r = try #require(v.validate(topic: phTopic, item: decoded("6.5"), receiveTime: at(1234)).reading)
        #expect(r.sourceTime == at(1234))
        #expect(r.receiveTime == at(1234))
        #expect(r.flags == [.sourceTimeMissing])
        let withTS = try #require(v.validate(topic: phTopic, item: decoded("6.5", ts: 2000), receiveTime: at(2100)).reading)
        #expect(!withTS.flags.contains(.sourceTimeMissing))
    }

    @Test("timestamp-less readings received in one millisecond are each stored, a millisecond apart, without a rate check; at most a second past their receive time")
    func untimedBurst() throws {
        // pulp_ph: max_rate 0.5 per s, rate_action quarantine — a change of 1.0 in a stamped
        // millisecond would be 1,000 per s.
        var v = validator([phSpec(rateAction: .quarantine)])
        let values = ["6.5", "7.5", "6.5", "7.5"]
        let stamped = try values.map { try #require(v.validate(topic: phTopic, item: decoded($0), receiveTime: at(3000)).reading) }
        #expect(stamped.map(\.sourceTime) == [at(3000), at(3001), at(3002), at(3003)])
        #expect(stamped.allSatisfy { $0.receiveTime == at(3000) && $0.flags == [.sourceTimeMissing] && $0.quality == .good })
        // A later receive time past the shifted ones is the reading's own again, and checked.
        let next = v.validate(topic: phTopic, item: decoded("8.5"), receiveTime: at(3500))
        #expect(next.rejectReason == .rateOfChange, "the gap is known again: 1.0 in 0.497 s")
        #expect(try #require(v.validate(topic: phTopic, item: decoded("7.6"), receiveTime: at(4000)).reading).sourceTime == at(4000))

        // A backlog of 1,200 bare values in one millisecond: the first 1,001 fit within a second
        // of it (+0 … +1,000 ms); past that the validator stamps the receive time again, which
        // the stored reading at +0 already holds (storage quarantines it as a duplicate).
        var w = validator()
        let backlog = (0..<1_200).map { _ in w.validate(topic: phTopic, item: decoded("6.5"), receiveTime: at(10_000)) }
        #expect(backlog.prefix(1_001).map { $0.reading?.sourceTime } == (0...1_000).map { at(10_000 + $0) })
        #expect(backlog.dropFirst(1_001).allSatisfy { $0.reading?.sourceTime == at(10_000) })
    }

    @Test("rules apply in order: nan before clock_skew before duplicate before range")
    func ruleOrder() {
        var v = validator([SensorSpec(topic: try! TopicPattern("x"), range: 0...1)],
                          policy: ValidationPolicy(maxFutureSkewMs: 1_000, maxPastAgeMs: 1_000, outOfOrderToleranceMs: 100))
        #expect(v.validate(topic: "x", item: DecodedItem(value: .notANumber("NaN"), sourceTime: at(99_999)), receiveTime: t0).rejectReason == .nan)
        #expect(v.validate(topic: "x", item: decoded("5", ts: 99_999), receiveTime: t0).rejectReason == .clockSkew)
        #expect(v.validate(topic: "x", item: decoded("0.5", ts: 0), receiveTime: t0).reading != nil)
        #expect(v.validate(topic: "x", item: decoded("5", ts: 0), receiveTime: t0).rejectReason == .duplicate)
        #expect(v.validate(topic: "x", item: decoded("5", ts: -500), receiveTime: t0).rejectReason == .outOfOrder)
        #expect(v.validate(topic: "x", item: decoded("5", ts: 10), receiveTime: t0).rejectReason == .outOfRange)
    }
}

@Suite("Validator stale detection")
struct ValidatorStaleTests {
    private func specs() -> [SensorSpec] {
        [
            phSpec(),  // stale after 5 s
            SensorSpec(topic: try! TopicPattern("plant/feeder/speed"), staleAfterMs: 10_000),
            SensorSpec(topic: try! TopicPattern("plant/mill/power"), idTemplate: "mill-power", staleAfterMs: 3_000),
            SensorSpec(topic: try! TopicPattern("plant/quiet/never")),  // no deadman
        ]
    }

    @Test("concrete-topic sensors are expected from the start and go stale even if never seen")
    func concreteNeverSeen() {
        var v = validator(specs(), start: t0)
        #expect(v.sensorCount == 3)
        #expect(v.checkStale(now: at(3_000)) == [])
        let t = v.checkStale(now: at(3_001))
        #expect(t == [Validator.StaleTransition(sensor: "mill-power", specIndex: 2, stale: true, lastReceive: t0)])
        let later = v.checkStale(now: at(10_001))
        #expect(later == [Validator.StaleTransition(sensor: "plant/feeder/speed", specIndex: 1, stale: true, lastReceive: t0)])
        // Sensors without stale_after never transition.
        #expect(v.checkStale(now: at(1_000_000)) == [])
    }

    @Test("a sensor goes stale after stale_after without readings and comes back when it reports")
    func staleAndBack() {
        var v = validator(specs(), start: t0)
        _ = v.validate(topic: phTopic, item: decoded("6.5", ts: 0), receiveTime: at(0))
        _ = v.validate(topic: "plant/feeder/speed", item: decoded("1", ts: 0), receiveTime: at(0))
        _ = v.validate(topic: "plant/mill/power", item: decoded("1", ts: 0), receiveTime: at(0))
        #expect(v.checkStale(now: at(2_000)) == [])
        _ = v.validate(topic: "plant/mill/power", item: decoded("1", ts: 2_500), receiveTime: at(2_500))
        _ = v.validate(topic: "plant/feeder/speed", item: decoded("1", ts: 4_000), receiveTime: at(4_000))
        // 5 s after the pH sensor's last reading: exactly the limit is not yet stale.
        #expect(v.checkStale(now: at(5_000)) == [])
        let wentStale = v.checkStale(now: at(5_600))
        #expect(wentStale == [
            Validator.StaleTransition(sensor: phID, specIndex: 0, stale: true, lastReceive: at(0)),
            Validator.StaleTransition(sensor: "mill-power", specIndex: 2, stale: true, lastReceive: at(2_500)),
        ])
        // Reported once: no repeated transition.
        #expect(v.checkStale(now: at(5_700)) == [])
        // It reports again (even a rejected reading proves the sensor is alive) → back.
        let nanVerdict = v.validate(topic: phTopic, item: DecodedItem(value: .notANumber("NaN")), receiveTime: at(6_000))
        #expect(nanVerdict.rejectReason == .nan)
        let back = v.checkStale(now: at(6_001))
        #expect(back == [Validator.StaleTransition(sensor: phID, specIndex: 0, stale: false, lastReceive: at(6_000))])
        // Later both the feeder (10 s) and the pH sensor (again) fall silent.
        #expect(v.checkStale(now: at(14_001)).map(\.sensor) == [phID, "plant/feeder/speed"])
    }

    @Test("wildcard sensors are tracked once first seen")
    func wildcardTracked() {
        var v = validator([phSpec()], start: t0)
        #expect(v.sensorCount == 0)
        #expect(v.checkStale(now: at(60_000)) == [])
        _ = v.validate(topic: phTopic, item: decoded("6.5"), receiveTime: at(60_000))
        #expect(v.sensorCount == 1)
        #expect(v.checkStale(now: at(65_001)).map(\.stale) == [true])
    }

    @Test("transitions are sorted by sensor id")
    func sorted() {
        var v = validator([phSpec()], start: t0)
        for cell in ["c9", "c1", "c5", "c3"] {
            _ = v.validate(topic: "tinmine/p1/flotation/x/\(cell)/pulp_ph", item: decoded("6.5"), receiveTime: t0)
        }
        #expect(v.checkStale(now: at(6_000)).map(\.sensor) == ["c1/pulp_ph", "c3/pulp_ph", "c5/pulp_ph", "c9/pulp_ph"])
    }
}

@Suite("Validator: known bugs")
struct ValidatorBugTests {
    @Test("a source time near Int64.min is clock_skew, not an arithmetic overflow trap")
    func extremeSourceTimeDoesNotTrap() async {
        // PayloadDecoder accepts {"value":1,"ts":-9223372036854775808} as epoch ms Int64.min.
        await #expect(processExitsWith: .success) {
            var v = Validator(
                catalog: SensorCatalog(specs: [SensorSpec(topic: try! TopicPattern("x"))]),
                policy: ValidationPolicy(), start: Timestamp(millisecondsSinceEpoch: 0))
            let item = DecodedItem(value: .number(DecimalValue(mantissa: 1, scale: 0)),
                                   sourceTime: Timestamp(millisecondsSinceEpoch: Int64.min))
            let verdict = v.validate(topic: "x", item: item, receiveTime: Timestamp(millisecondsSinceEpoch: 1_767_225_600_000))
            guard case .reject(.clockSkew, _, _) = verdict else { exit(1) }
        }
    }
}

import Testing
import TinsenseCore
@testable import TinsenseAlerts

@Suite("alert state machine")
struct AlertEngineTests {
    func t(_ seconds: Int) -> Timestamp { Timestamp(millisecondsSinceEpoch: 1_700_000_000_000 + Int64(seconds) * 1000) }

    /// Feeds (second, score) pairs and returns "kind@second" for every transition.
    func run(_ engine: inout AlertEngine, sensor: String = "flotation/cell03/ph", rule: String = "anomaly",
             _ scores: [(Int, Double)]) -> [String] {
        var log: [String] = []
        for (s, score) in scores {
            for tr in engine.observe(sensor: sensor, rule: rule, time: t(s), score: score, value: 6.5) {
                log.append("\(tr.kind.rawValue)@\(s)")
            }
        }
        return log
    }

    @Test("pending → firing after pending_for, then resolved after keep_firing_for below the resolve threshold")
    func pendingFiringResolved() {
        var engine = AlertEngine(rules: [AlertRule(threshold: 0.5, resolveThreshold: 0.4, pendingForMilliseconds: 10_000, keepFiringForMilliseconds: 30_000)])
        let log = run(&engine, [(0, 0.6), (5, 0.7), (10, 0.6), (15, 0.3), (30, 0.3), (45, 0.3), (50, 0.2)])
        #expect(log == ["firing@10", "resolved@45"])
        #expect(engine.activeAlertCount == 0)
    }

    @Test("a blip shorter than pending_for never fires")
    func blipDoesNotFire() {
        var engine = AlertEngine(rules: [AlertRule(pendingForMilliseconds: 10_000)])
        #expect(run(&engine, [(0, 0.9), (5, 0.1), (10, 0.9), (12, 0.1)]).isEmpty)
    }

    @Test("a gross excursion fires at once despite pending_for; a marginal one waits")
    func immediateThreshold() {
        var engine = AlertEngine(rules: [AlertRule(pendingForMilliseconds: 5000, immediateThreshold: 0.7)])
        #expect(run(&engine, [(0, 0.9), (3, 0.1), (10, 0.6), (12, 0.6), (15, 0.6), (100, 0.1)]) == ["firing@0", "resolved@100"])
        var marginal = AlertEngine(rules: [AlertRule(pendingForMilliseconds: 5000, immediateThreshold: 0.7)])
        #expect(run(&marginal, [(0, 0.6), (3, 0.6), (5, 0.6)]) == ["firing@5"])
    }

    @Test("hysteresis: scores between the two thresholds keep a firing alert firing")
    func hysteresis() {
        var engine = AlertEngine(rules: [AlertRule(threshold: 0.5, resolveThreshold: 0.3, keepFiringForMilliseconds: 0)])
        let log = run(&engine, [(0, 0.6), (1, 0.45), (2, 0.35), (3, 0.31), (4, 0.29)])
        #expect(log == ["firing@0", "resolved@4"])
    }

    @Test("flapping within keep_firing_for stays one alert with one id")
    func flappingIsOneAlert() {
        var engine = AlertEngine(rules: [AlertRule(keepFiringForMilliseconds: 60_000)])
        var transitions: [AlertTransition] = []
        for s in 0..<300 {
            let score = (s / 10) % 2 == 0 ? 0.9 : 0.1   // on 10 s, off 10 s
            transitions += engine.observe(sensor: "s", rule: "anomaly", time: t(s), score: score, value: 1)
        }
        transitions += engine.observe(sensor: "s", rule: "anomaly", time: t(400), score: 0.1, value: 1)
        #expect(transitions.map(\.kind) == [.firing, .resolved])
        #expect(transitions[0].alertID == transitions[1].alertID)
    }

    @Test("one active alert per key, independent keys do not interfere")
    func oneAlertPerKey() {
        var engine = AlertEngine(rules: [AlertRule(), AlertRule(name: "critical", threshold: 0.8, severity: .critical)])
        var kinds: [String] = []
        for s in 0..<5 {
            for rule in ["anomaly", "critical"] {
                for sensor in ["a", "b"] {
                    kinds += engine.observe(sensor: sensor, rule: rule, time: t(s), score: 0.9, value: 0).map { "\($0.sensor)/\($0.rule)/\($0.kind)" }
                }
            }
        }
        #expect(kinds.sorted() == ["a/anomaly/firing", "a/critical/firing", "b/anomaly/firing", "b/critical/firing"])
        #expect(engine.activeAlertCount == 4)
    }

    @Test("crusher power near zero mutes downstream feed alerts, and the mute is logged")
    func inhibition() {
        let inhibit = InhibitRule(name: "crusher_stopped", source: "crushing/crusher01/power",
                                  condition: .valueBelow(5), targets: ["crushing/belt*/feed_rate", "assay/xrf01/*"])
        var engine = AlertEngine(rules: [AlertRule(keepFiringForMilliseconds: 0)], inhibitRules: [inhibit])
        var log: [String] = []
        func feed(_ sensor: String, _ s: Int, score: Double, value: Double) {
            log += engine.observe(sensor: sensor, rule: "anomaly", time: t(s), score: score, value: value)
                .map { "\($0.kind.rawValue) \($0.sensor)" }
        }
        feed("crushing/crusher01/power", 0, score: 0.9, value: 1.2)      // the crusher trips: its own alert fires
        feed("crushing/belt2/feed_rate", 1, score: 0.95, value: 0)       // muted
        feed("flotation/cell03/ph", 2, score: 0.9, value: 6.1)           // not a target
        feed("crushing/belt2/feed_rate", 3, score: 0.95, value: 0)
        feed("crushing/crusher01/power", 10, score: 0.2, value: 180)     // restarts: unmute
        feed("crushing/belt2/feed_rate", 11, score: 0.1, value: 40)
        #expect(log == [
            "muted crushing/crusher01/power",
            "firing crushing/crusher01/power",
            "firing flotation/cell03/ph",
            "unmuted crushing/crusher01/power",
            "firing crushing/belt2/feed_rate",       // still firing when the mute ended
            "resolved crushing/crusher01/power",
            "resolved crushing/belt2/feed_rate",
        ])
    }

    @Test("an alert that fires and clears while muted leaves no line")
    func mutedAlertLeavesNoLine() {
        let inhibit = InhibitRule(name: "trip", source: "up", condition: .valueBelow(1), targets: ["down"],
                                  releaseAfterMilliseconds: 5000)
        var engine = AlertEngine(rules: [AlertRule(keepFiringForMilliseconds: 0)], inhibitRules: [inhibit])
        var kinds: [AlertTransition.Kind] = []
        kinds += engine.observe(sensor: "up", rule: "none", time: t(0), score: 0, value: 0).map(\.kind)
        kinds += engine.observe(sensor: "down", rule: "anomaly", time: t(1), score: 0.9, value: 0).map(\.kind)
        kinds += engine.observe(sensor: "down", rule: "anomaly", time: t(2), score: 0.1, value: 0).map(\.kind)
        kinds += engine.observe(sensor: "up", rule: "none", time: t(3), score: 0, value: 50).map(\.kind)
        // The release delay keeps the mute until 8 s.
        kinds += engine.observe(sensor: "down", rule: "anomaly", time: t(6), score: 0.9, value: 0).map(\.kind)
        kinds += engine.advance(to: t(9)).map(\.kind)
        #expect(kinds == [.muted, .unmuted, .firing])
    }

    @Test("a stale sensor raises a stale alert that resolves when readings resume, and can mute its targets")
    func staleSensor() {
        let inhibit = InhibitRule(name: "xrf_down", source: "assay/xrf01/sn", condition: .stale, targets: ["assay/xrf01/*"])
        var engine = AlertEngine(rules: [AlertRule()], inhibitRules: [inhibit], staleSeverity: .critical)
        let went = engine.sensorWentStale(sensor: "assay/xrf01/sn", time: t(100), lastSeen: t(40))
        #expect(went.map(\.kind) == [.firing, .muted])
        #expect(went[0].rule == "stale" && went[0].severity == .critical && went[0].message.contains("no reading since"))
        #expect(engine.sensorWentStale(sensor: "assay/xrf01/sn", time: t(101)).isEmpty)
        let back = engine.sensorCameBack(sensor: "assay/xrf01/sn", time: t(200))
        #expect(back.map(\.kind) == [.resolved, .unmuted])
        #expect(back[0].alertID == went[0].alertID)
    }

    @Test("alert ids are deterministic for replays")
    func deterministicIDs() {
        let a = AlertTransition.makeID(sensor: "s", rule: "anomaly", start: t(5))
        #expect(a == AlertTransition.makeID(sensor: "s", rule: "anomaly", start: t(5)))
        #expect(a != AlertTransition.makeID(sensor: "s", rule: "anomaly", start: t(6)))
        #expect(a.count == 16)
    }
}

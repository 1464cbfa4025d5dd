import Testing
import TinsenseCore
@testable import TinsenseAlerts

@Suite("alert engine reload")
struct AlertEngineReconfigureTests {
    func t(_ seconds: Int) -> Timestamp { Timestamp(millisecondsSinceEpoch: 1_700_000_000_000 + Int64(seconds) * 1000) }
    let anomaly = AlertRule(name: "anomaly", threshold: 0.5, resolveThreshold: 0.4, pendingForMilliseconds: 0, keepFiringForMilliseconds: 0, severity: .warning)
    let other = AlertRule(name: "other", threshold: 0.5, resolveThreshold: 0.4, pendingForMilliseconds: 0, keepFiringForMilliseconds: 0, severity: .critical)

    @Test("a firing alert of a rule that stays carries on and resolves later; one of a removed rule is dropped")
    func keepsAlertsOfRulesThatStay() {
        var engine = AlertEngine(rules: [anomaly, other])
        _ = engine.observe(sensor: "s", rule: "anomaly", time: t(0), score: 0.9, value: 1)
        _ = engine.observe(sensor: "s", rule: "other", time: t(0), score: 0.9, value: 1)
        #expect(engine.isFiring(sensor: "s", rule: "anomaly") && engine.isFiring(sensor: "s", rule: "other"))
        engine.reconfigure(rules: [anomaly], inhibitRules: [], staleSeverity: .critical)
        #expect(engine.isFiring(sensor: "s", rule: "anomaly"))
        #expect(!engine.isFiring(sensor: "s", rule: "other"))
        #expect(engine.staleSeverity == .critical)
        let resolved = engine.observe(sensor: "s", rule: "anomaly", time: t(1), score: 0.1, value: 1)
        #expect(resolved.map(\.kind.rawValue) == ["resolved"])
    }
}

import Testing
import TinsenseConfig
import TinsenseCore
import TinsenseValidate
@testable import TinsenseDaemon

@Suite("reload plan")
struct ReloadPlanTests {
    static func config(range: ClosedRange<Double>, clientID: String = "tinsense", walMB: Int = 64, detection: Bool = true) -> Config {
        var c = Config()
        c.mqtt.clientID = clientID
        c.mqtt.subscribe = ["rel/#"]
        c.storage.walFileMaxMB = walMB
        c.detection.enabled = detection
        c.sensors = [Config.SensorEntry(spec: SensorSpec(topic: try! TopicPattern("rel/{a}/{b}"), idTemplate: "{a}/{b}", range: range),
                                        detection: Config.SensorDetection(spec: nil, rules: []))]
        return c
    }

    @Test("sensors and validation limits are taken; restart-only keys are named in TOML spelling and kept")
    func splitsReloadableFromRestart() {
        let running = ReloadPlanTests.config(range: 0...100)
        var loaded = ReloadPlanTests.config(range: 0...200, clientID: "other", walMB: 32, detection: false)
        loaded.validation.maxFutureSkewSeconds = 10
        let plan = ReloadPlan(running: running, loaded: loaded)
        #expect(plan.effective.sensors[0].spec.range == 0...200)
        #expect(plan.effective.validation.maxFutureSkewSeconds == 10)
        #expect(plan.effective.mqtt.clientID == "tinsense")
        #expect(plan.effective.storage.walFileMaxMB == 64)
        #expect(plan.effective.detection.enabled)
        #expect(plan.needsRestart.sorted() == ["detection.enabled", "mqtt.client_id", "storage.wal_file_max_mb"])
    }

    @Test("the protocol, the session expiry and the share group are restart-only, named as in the file")
    func mqtt5KeysNeedARestart() {
        let running = ReloadPlanTests.config(range: 0...100)
        var loaded = running
        loaded.mqtt.protocolVersion = .v5
        loaded.mqtt.sessionExpirySeconds = 60
        loaded.mqtt.shareGroup = "tinsense"
        let plan = ReloadPlan(running: running, loaded: loaded)
        #expect(plan.effective.mqtt.protocolVersion == .v311 && plan.effective.mqtt.shareGroup == nil)
        #expect(plan.needsRestart.filter { !$0.hasPrefix("mqtt.subscribe ") }.sorted() == ["mqtt.protocol", "mqtt.session_expiry_s", "mqtt.share_group"])
    }

    @Test("an unchanged file needs nothing restarted")
    func unchanged() {
        let c = ReloadPlanTests.config(range: 0...100)
        #expect(ReloadPlan(running: c, loaded: c).needsRestart.isEmpty)
    }

    @Test("Swift property names map to their TOML keys")
    func tomlNames() {
        #expect(ReloadPlan.tomlName("dataDirectory") == "data_dir")
        #expect(ReloadPlan.tomlName("clientID") == "client_id")
        #expect(ReloadPlan.tomlName("queueMaxMB") == "queue_max_mb")
        #expect(ReloadPlan.tomlName("stopTimeoutSeconds") == "stop_timeout_s")
        #expect(ReloadPlan.tomlName("fsyncIntervalMs") == "fsync_interval_ms")
    }

    @Test("a reload applied to a running pipeline: the new range applies at the next message, a duplicate is still refused")
    func pipelineReload() throws {
        let fixture = try PipelineFixture()
        fixture.process(topic: "rel/x/y", payload: #"{"ts":"2025-12-31T23:59:00Z","value":150}"#)
        let applied = fixture.pipeline.reload(ReloadPlanTests.config(range: 0...100), now: pipelineT0)
        #expect(applied.sensorsKnown == 1)
        fixture.process(topic: "rel/x/y", payload: #"{"ts":"2025-12-31T23:59:02Z","value":150}"#)
        fixture.process(topic: "rel/x/y", payload: #"{"ts":"2025-12-31T23:59:00Z","value":151}"#)
        fixture.process(topic: "rel/x/y", payload: #"{"ts":"2025-12-31T23:59:03Z","value":50}"#)
        let reasons = try fixture.quarantineEntries().map(\.reason)
        #expect(reasons == ["out_of_range", "duplicate"], "\(reasons)")
        #expect(fixture.pipeline.counters.readingsStored == 2)
    }
}

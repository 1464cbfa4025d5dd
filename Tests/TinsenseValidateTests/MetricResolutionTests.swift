import Testing
import TinsenseCore
import TinsenseDecode
@testable import TinsenseValidate

private let t0 = Timestamp(millisecondsSinceEpoch: 1_767_225_600_000)

private func spec(_ topic: String, format: PayloadFormat.Kind = .influx, metric: String? = nil, id: String? = nil) -> SensorSpec {
    SensorSpec(topic: try! TopicPattern(topic), format: PayloadFormat(format), metric: metric.map(MetricFilter.init), idTemplate: id)
}

private func item(_ metric: String?, tags: [String: String] = [:]) -> DecodedItem {
    DecodedItem(value: .number(DecimalValue("1")!), metric: metric, tags: tags)
}

@Suite("Sensor resolution by topic and metric")
struct MetricResolutionTests {
    @Test("a metric filter takes the exact name or, with a trailing *, a prefix; never an item without a metric")
    func filter() {
        #expect(MetricFilter("flotation/ph").matches("flotation/ph"))
        #expect(!MetricFilter("flotation/ph").matches("flotation/ph2"))
        #expect(MetricFilter("flotation/*").matches("flotation/ph"))
        #expect(MetricFilter("flotation/*").matches("flotation/"))
        #expect(!MetricFilter("flotation/*").matches("crusher/ph"))
        #expect(MetricFilter("*").matches("anything"))
        #expect(MetricFilter("a*b").matches("a*b") && !MetricFilter("a*b").matches("axb"))
        #expect(!MetricFilter("*").matches(nil))
    }

    @Test("the first entry whose topic and metric filter both take the item wins")
    func firstMatchWins() {
        var catalog = SensorCatalog(specs: [
            spec("plant/lp", metric: "flotation/*", id: "flot:{metric}"),
            spec("plant/lp", metric: "crusher/power", id: "power"),
            spec("plant/#", format: .json),
        ])
        #expect(catalog.resolve("plant/lp", metric: "flotation/ph", tags: [:]) == .init(sensorID: "flot:flotation/ph", specIndex: 0))
        #expect(catalog.resolve("plant/lp", metric: "crusher/power", tags: [:]) == .init(sensorID: "power", specIndex: 1))
        // No filter: takes items with and without a metric; without a template the metric follows the topic.
        #expect(catalog.resolve("plant/lp", metric: "crusher/speed", tags: [:]) == .init(sensorID: "plant/lp/crusher/speed", specIndex: 2))
        #expect(catalog.resolve("plant/lp", metric: nil, tags: [:]) == .init(sensorID: "plant/lp", specIndex: 2))
        #expect(catalog.resolve("plant/lp") == .init(sensorID: "plant/lp", specIndex: 2))
    }

    @Test("an entry with a metric filter never takes a JSON item on its topic")
    func filterSkipsJSON() {
        var catalog = SensorCatalog(specs: [spec("plant/lp", metric: "*")])
        #expect(catalog.resolve("plant/lp") == nil)
        var v = Validator(catalog: catalog, policy: ValidationPolicy(), start: t0)
        #expect(v.validate(topic: "plant/lp", item: item(nil), receiveTime: t0) == .reject(.unknownSensor, detail: "no [[sensor]] pattern matches topic", sensor: nil))
        #expect(v.validate(topic: "plant/other", item: item("m/f"), receiveTime: t0)
            == .reject(.unknownSensor, detail: "no [[sensor]] pattern matches topic with metric \"m/f\"", sensor: nil))
    }

    @Test("{metric}, {tag.NAME} and captures fill the id; a missing tag is empty")
    func template() {
        var catalog = SensorCatalog(specs: [spec("site/{area}/lp", id: "{area}/{tag.cell}/{metric}")])
        #expect(catalog.resolve("site/flot/lp", metric: "ph/value", tags: ["cell": "3", "line": "A"])?.sensorID == "flot/3/ph/value")
        #expect(catalog.resolve("site/flot/lp", metric: "ph/value", tags: [:])?.sensorID == "flot//ph/value")
    }

    @Test("without a template, a many-metric id is topic/metric{tags sorted by key}: tag order never changes it")
    func defaultID() {
        let s = spec("plant/lp")
        #expect(s.sensorID(topic: "plant/lp", captures: [:], metric: "ph/value", tags: [:]) == "plant/lp/ph/value")
        let a = s.sensorID(topic: "plant/lp", captures: [:], metric: "ph/value", tags: ["line": "A", "cell": "3"])
        #expect(a == "plant/lp/ph/value{cell=3,line=A}")
        var catalog = SensorCatalog(specs: [s])
        let first = catalog.resolve("plant/lp", metric: "ph/value", tags: ["cell": "3", "line": "A"])
        let second = catalog.resolve("plant/lp", metric: "ph/value", tags: ["line": "A", "cell": "3"])
        #expect(first == second && first?.sensorID == a)
    }

    @Test("the cache keys on topic, metric and tags: cached answers equal uncached lookups, in any order, across evictions")
    func cacheAgrees() {
        var catalog = SensorCatalog(specs: [spec("plant/{u}", metric: "a/*", id: "{u}:{metric}:{tag.k}"), spec("plant/+")])
        catalog.cacheLimit = 3
        let metrics: [String?] = [nil, "a/x", "a/y", "b/x"]
        let tagSets: [[String: String]] = [[:], ["k": "1"], ["k": "2"]]
        for round in 0..<3 {
            for u in ["p", "q"] {
                for m in metrics {
                    for tags in tagSets {
                        let expected = SensorCatalog.lookup("plant/\(u)", metric: m, tags: tags, in: catalog.specs)
                        #expect(catalog.resolve("plant/\(u)", metric: m, tags: tags) == expected, "round \(round) \(u) \(m ?? "nil") \(tags)")
                    }
                }
            }
        }
    }

    @Test("a topic's payload format is the first entry's whose topic matches, metric filters aside; an unmatched spBv1.0/ topic is Sparkplug where an entry is; JSON otherwise")
    func formatByTopic() {
        var catalog = SensorCatalog(specs: [
            spec("plant/lp/#", metric: "flotation/*"),
            spec("plant/sp/#", format: .sparkplug),
            spec("plant/#", format: .json),
        ])
        #expect(catalog.payloadFormat(topic: "plant/lp/a") == PayloadFormat(.influx))
        #expect(catalog.payloadFormat(topic: "plant/sp/a") == PayloadFormat(.sparkplug))
        #expect(catalog.payloadFormat(topic: "plant/json") == .json)
        #expect(catalog.payloadFormat(topic: "elsewhere") == .json)
        // An edge node's own topic (one level above its devices') still goes to the Sparkplug
        // session when only device topics are configured: its NBIRTH opens the session.
        #expect(catalog.payloadFormat(topic: "spBv1.0/tinmine/NBIRTH/pilot1") == PayloadFormat(.sparkplug))
        #expect(catalog.payloadFormat(topic: "spBv1.0x/tinmine/NBIRTH/pilot1") == .json)
        var uniform = SensorCatalog(specs: [spec("a/#", format: .auto)])
        #expect(uniform.payloadFormat(topic: "zzz") == PayloadFormat(.auto))
    }

    @Test("a concrete topic decoded as JSON is expected from the start; a many-metric one is not (it names no one sensor)")
    func expectedSensors() {
        let v = Validator(catalog: SensorCatalog(specs: [spec("plant/json", format: .json), spec("plant/lp", format: .influx)]), policy: ValidationPolicy(), start: t0)
        #expect(v.sensorIDs.sorted() == ["plant/json"])
    }

    @Test("validated readings of many-metric items carry their resolved sensor and spec")
    func validateUsesMetric() {
        var v = Validator(catalog: SensorCatalog(specs: [spec("plant/lp", metric: "ph/*", id: "{tag.cell}/{metric}"), spec("plant/lp")]), policy: ValidationPolicy(), start: t0)
        guard case .accept(let r, let index, _, _) = v.validate(topic: "plant/lp", item: item("ph/value", tags: ["cell": "c3"]), receiveTime: t0) else {
            Issue.record("not accepted")
            return
        }
        #expect(r.sensor == "c3/ph/value" && index == 0)
        guard case .accept(let other, let otherIndex, _, _) = v.validate(topic: "plant/lp", item: item("temp/value"), receiveTime: t0) else {
            Issue.record("not accepted")
            return
        }
        #expect(other.sensor == "plant/lp/temp/value" && otherIndex == 1)
    }

    @Test("a reload keeps the state of entries that share a pattern, told apart by their metric filter")
    func reloadKeepsByMetric() {
        let specs = [spec("plant/lp", metric: "ph/*"), spec("plant/lp", metric: "temp/*")]
        var v = Validator(catalog: SensorCatalog(specs: specs), policy: ValidationPolicy(), start: t0)
        _ = v.validate(topic: "plant/lp", item: item("temp/value"), receiveTime: t0)
        v.reconfigure(catalog: SensorCatalog(specs: [spec("plant/lp", metric: "temp/*"), spec("plant/lp", metric: "ph/*")]), policy: ValidationPolicy(), now: t0)
        #expect(v.entryIndexBySensor == ["plant/lp/temp/value": 0])
    }

    @Test("pattern coverage: # covers the rest, + and captures one level, literals themselves")
    func covers() throws {
        func p(_ t: String) throws -> TopicPattern { try TopicPattern(t) }
        #expect(try p("#").covers(p("a/b")))
        #expect(try p("a/#").covers(p("a/+/c")))
        #expect(try p("a/+").covers(p("a/{x}")))
        #expect(try !p("a/+").covers(p("a/#")))
        #expect(try !p("a/b").covers(p("a/+")))
        #expect(try !p("a/+").covers(p("a/b/c")))
        #expect(try !p("a/b/c").covers(p("a/b")))
        #expect(try p("spBv1.0/+/#").canMatch(prefix: "spBv1.0"))
        #expect(try p("+/x").canMatch(prefix: "spBv1.0"))
        #expect(try !p("plant/#").canMatch(prefix: "spBv1.0"))
    }
}

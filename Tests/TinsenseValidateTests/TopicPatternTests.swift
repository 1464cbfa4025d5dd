import Testing
import TinsenseCore
@testable import TinsenseValidate

@Suite("TopicPattern")
struct TopicPatternTests {
    private func p(_ text: String) throws -> TopicPattern { try TopicPattern(text) }

    @Test("literal levels match only the same topic")
    func literal() throws {
        let pattern = try p("tinmine/pilot1/flotation/cell3/pulp_ph")
        #expect(pattern.match("tinmine/pilot1/flotation/cell3/pulp_ph") == [:])
        #expect(pattern.match("tinmine/pilot1/flotation/cell3") == nil)
        #expect(pattern.match("tinmine/pilot1/flotation/cell3/pulp_ph/x") == nil)
        #expect(pattern.match("tinmine/pilot1/flotation/cell4/pulp_ph") == nil)
        #expect(pattern.match("Tinmine/pilot1/flotation/cell3/pulp_ph") == nil)
        #expect(pattern.isConcrete)
        #expect(pattern.captureNames.isEmpty)
        #expect(pattern.description == "tinmine/pilot1/flotation/cell3/pulp_ph")
    }

    @Test("+ matches exactly one level, including an empty one")
    func plus() throws {
        let pattern = try p("a/+/c")
        #expect(pattern.match("a/b/c") == [:])
        #expect(pattern.match("a//c") == [:])
        #expect(pattern.match("a/b/x/c") == nil)
        #expect(pattern.match("a/c") == nil)
        #expect(!pattern.isConcrete)
        #expect(try p("+").match("x") == [:])
        #expect(try p("+").match("x/y") == nil)
    }

    @Test("# matches the rest, including nothing (the parent level)")
    func hash() throws {
        let pattern = try p("tinmine/#")
        #expect(pattern.match("tinmine/a") == [:])
        #expect(pattern.match("tinmine/a/b/c") == [:])
        #expect(pattern.match("tinmine") == [:])
        #expect(pattern.match("other/a") == nil)
        #expect(try p("#").match("anything/at/all") == [:])
        #expect(!pattern.isConcrete)
    }

    @Test("{name} captures one level")
    func captures() throws {
        let pattern = try p("tinmine/+/crushing/{line}/{unit}/vibration_mm_s")
        #expect(pattern.captureNames == ["line", "unit"])
        #expect(pattern.match("tinmine/pilot1/crushing/L2/jaw1/vibration_mm_s") == ["line": "L2", "unit": "jaw1"])
        #expect(pattern.match("tinmine/pilot1/crushing/L2/vibration_mm_s") == nil)
        #expect(pattern.match("tinmine/pilot1/crushing/L2/jaw1/temp") == nil)
        #expect(!pattern.isConcrete)
        let withRest = try p("{site}/#")
        #expect(withRest.match("pilot1/a/b") == ["site": "pilot1"])
    }

    @Test("subscriptionFilter turns captures into +")
    func subscriptionFilter() throws {
        #expect(try p("tinmine/+/crushing/{line}/{unit}/vibration_mm_s").subscriptionFilter == "tinmine/+/crushing/+/+/vibration_mm_s")
        #expect(try p("tinmine/{site}/#").subscriptionFilter == "tinmine/+/#")
        #expect(try p("a/b").subscriptionFilter == "a/b")
        #expect(try p("#").subscriptionFilter == "#")
    }

    @Test("bad patterns are rejected with a message", arguments: [
        ("", "empty"),
        ("a/#/b", "'#' must be the last level"),
        ("a/b#", "mixes a wildcard"),
        ("a/b+/c", "mixes a wildcard"),
        ("a/x{y}/c", "mixes a wildcard or brace"),
        ("a/{}/c", "mixes a wildcard or brace"),
        ("a/{line/c", "mixes a wildcard or brace"),
        ("a/{li-ne}/c", "may hold only letters, digits and _"),
        ("a/{li ne}/c", "may hold only letters, digits and _"),
        ("a/{topic}/c", "reserved"),
        ("{x}/{x}", "appears twice"),
    ])
    func badPatterns(text: String, messagePart: String) {
        do {
            _ = try TopicPattern(text)
            Issue.record("\"\(text)\" was accepted")
        } catch {
            #expect(error.description.contains(messagePart), "\(error.description)")
        }
    }

    @Test("capture names may use letters, digits and underscore")
    func captureNames() throws {
        #expect(try p("{line_2}/{Unit9}").captureNames == ["line_2", "Unit9"])
    }
}

@Suite("SensorSpec id templates")
struct SensorSpecTests {
    private func spec(_ pattern: String, id: String?) throws -> SensorSpec {
        SensorSpec(topic: try TopicPattern(pattern), idTemplate: id)
    }

    @Test("no template means the topic is the id")
    func noTemplate() throws {
        let s = try spec("a/+/c", id: nil)
        #expect(s.sensorID(topic: "a/b/c", captures: [:]) == "a/b/c")
        #expect(s.unknownTemplateNames.isEmpty)
    }

    @Test("captures and {topic} are substituted; literal text is kept")
    func substitution() throws {
        let s = try spec("tinmine/+/crushing/{line}/{equipment}/vibration_mm_s", id: "{equipment}@{line}/vibration")
        let topic = "tinmine/p1/crushing/L1/jaw2/vibration_mm_s"
        let captures = try #require(s.topic.match(topic))
        #expect(s.sensorID(topic: topic, captures: captures) == "jaw2@L1/vibration")
        let t = try spec("x/{a}", id: "raw:{topic}:{a}")
        #expect(t.sensorID(topic: "x/7", captures: ["a": "7"]) == "raw:x/7:7")
        #expect(t.unknownTemplateNames.isEmpty)
    }

    @Test("a template without braces is a fixed id")
    func fixedID() throws {
        let s = try spec("a/+", id: "the-sensor")
        #expect(s.sensorID(topic: "a/1", captures: [:]) == "the-sensor")
    }

    @Test("names not captured by the pattern are reported and substitute as empty")
    func unknownNames() throws {
        let s = try spec("site/{line}/+", id: "{line}/{cell}/{unit}/{topic}")
        #expect(s.unknownTemplateNames == ["cell", "unit"])
        #expect(s.sensorID(topic: "site/L1/x", captures: ["line": "L1"]) == "L1///site/L1/x")
    }

    @Test("an unclosed brace is kept as text, once")
    func unclosedBrace() throws {
        let s = try spec("a/{x}", id: "id-{x}-{oops")
        #expect(s.sensorID(topic: "a/1", captures: ["x": "1"]) == "id-1-{oops")
        #expect(try spec("a", id: "line{").sensorID(topic: "a", captures: [:]) == "line{")
    }

    @Test("defaults: rate action downgrade, no limits")
    func defaults() throws {
        let s = try spec("a", id: nil)
        #expect(s.rateAction == .downgrade)
        #expect(s.range == nil && s.plausible == nil && s.maxRatePerSecond == nil && s.staleAfterMs == nil)
        #expect(SensorSpec.RateAction(rawValue: "quarantine") == .quarantine)
    }
}

@Suite("SensorCatalog")
struct SensorCatalogTests {
    private func specs() throws -> [SensorSpec] {
        [
            SensorSpec(topic: try TopicPattern("plant/special/ph"), idTemplate: "special-ph"),
            SensorSpec(topic: try TopicPattern("plant/{cell}/ph"), idTemplate: "{cell}/ph"),
            SensorSpec(topic: try TopicPattern("plant/+/+"), idTemplate: "generic:{topic}"),
            SensorSpec(topic: try TopicPattern("plant/#")),
        ]
    }

    @Test("the first matching spec in config order wins")
    func firstMatchWins() throws {
        var catalog = SensorCatalog(specs: try specs())
        #expect(catalog.resolve("plant/special/ph") == SensorCatalog.Resolution(sensorID: "special-ph", specIndex: 0))
        #expect(catalog.resolve("plant/c3/ph") == SensorCatalog.Resolution(sensorID: "c3/ph", specIndex: 1))
        #expect(catalog.resolve("plant/c3/level") == SensorCatalog.Resolution(sensorID: "generic:plant/c3/level", specIndex: 2))
        #expect(catalog.resolve("plant/a/b/c") == SensorCatalog.Resolution(sensorID: "plant/a/b/c", specIndex: 3))
        #expect(catalog.resolve("other/x") == nil)
        // Reversing the order changes the winner.
        var reversed = SensorCatalog(specs: try specs().reversed())
        #expect(reversed.resolve("plant/special/ph") == SensorCatalog.Resolution(sensorID: "plant/special/ph", specIndex: 0))
    }

    @Test("cached lookups return the same answer as uncached ones, also for unknown topics")
    func cachingIsTransparent() throws {
        var catalog = SensorCatalog(specs: try specs())
        let topics = ["plant/special/ph", "plant/c1/ph", "plant/c1/level", "plant/x/y/z", "nope", "plant", ""]
        for _ in 0..<3 {
            for t in topics {
                #expect(catalog.resolve(t) == SensorCatalog.lookup(t, in: catalog.specs), "\(t)")
            }
        }
    }

    @Test("a small cache limit evicts without changing answers")
    func cacheLimit() throws {
        var catalog = SensorCatalog(specs: try specs())
        catalog.cacheLimit = 3
        for round in 0..<3 {
            for i in 0..<50 {
                let t = i % 5 == 0 ? "unknown/\(i)" : "plant/c\(i)/ph"
                let expected: SensorCatalog.Resolution? = i % 5 == 0 ? nil : .init(sensorID: "c\(i)/ph", specIndex: 1)
                #expect(catalog.resolve(t) == expected, "round \(round) topic \(t)")
            }
        }
    }

    @Test("an empty catalog resolves nothing")
    func empty() {
        var catalog = SensorCatalog(specs: [])
        #expect(catalog.resolve("a") == nil)
    }
}

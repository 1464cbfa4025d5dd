import Foundation
import Testing
import TinsenseConfig
import TinsenseCore
import TinsenseTestSupport
import TinsenseValidate

/// The repository root, found from this file's path (Tests/TinsenseConfigTests/…).
private let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A small valid config; the broken variants below edit single lines of it, so line numbers
/// in the expectations refer to this layout.
private let baseLines: [String] = [
    "[daemon]",                                  // 1
    "data_dir = \"/tmp/tinsense-test\"",         // 2
    "",                                          // 3
    "[mqtt]",                                    // 4
    "broker = \"mqtt://127.0.0.1:1883\"",        // 5
    "client_id = \"tinsense-test\"",             // 6
    "qos = 1",                                   // 7
    "",                                          // 8
    "[[sensor]]",                                // 9
    "topic = \"plant/+/flotation/{cell}/ph\"",   // 10
    "id = \"{cell}/ph\"",                        // 11
    "unit = \"[pH]\"",                           // 12
    "range = [0.0, 14.0]",                       // 13
    "plausible = [5.0, 8.0]",                    // 14
    "",                                          // 15
    "[[sensor]]",                                // 16
    "topic = \"plant/feeder/speed\"",            // 17
    "period_s = 2",                              // 18
]

/// `baseLines` with line `number` (1-based) replaced, or inserted before it.
private func base(replacing number: Int? = nil, with text: String? = nil, inserting insert: (Int, String)? = nil) -> String {
    var lines = baseLines
    if let number, let text { lines[number - 1] = text }
    if let (at, line) = insert { lines.insert(line, at: at - 1) }
    return lines.joined(separator: "\n") + "\n"
}

@Suite("ConfigLoader")
struct ConfigLoaderTests {
    @Test("the Sparkplug site example config/sparkplug-site.toml loads with no issues, every sensor entry format sparkplug")
    func sparkplugExampleLoads() throws {
        let path = repositoryRoot.appendingPathComponent("config/sparkplug-site.toml").path
        let config: Config
        do {
            config = try ConfigLoader.load(path: path)
        } catch {
            Issue.record("config/sparkplug-site.toml has issues:\n\(error)")
            return
        }
        #expect(config.sensorSpecs.count == 4)
        #expect(config.sensorSpecs.allSatisfy { "\($0.format)" == "sparkplug" })
        #expect(config.mqtt.subscribe == ["spBv1.0/tinmine/#"])
    }

    @Test("the example config/tinsense.toml loads with no issues")
    func exampleConfigLoads() throws {
        let path = repositoryRoot.appendingPathComponent("config/tinsense.toml").path
        #expect(FileManager.default.fileExists(atPath: path))
        let config: Config
        do {
            config = try ConfigLoader.load(path: path)
        } catch {
            Issue.record("config/tinsense.toml has issues:\n\(error)")
            return
        }
        #expect(config.sensorSpecs.count > 10)
        #expect(config.mqtt.qos == 1)
        #expect(config.mqtt.cleanSession == false)
        #expect(config.mqtt.subscribe == ["tinmine/pilot1/#"])
        #expect(config.subscriptions == ["tinmine/pilot1/#"])
        #expect(config.mqtt.username == nil)
        #expect(config.mqtt.passwordFile == nil)
        let first = try #require(config.sensorSpecs.first)
        #expect(first.topic.text == "tinmine/+/crushing/+/{equipment}/feed_rate_t_h")
        #expect(first.idTemplate == "{equipment}/feed_rate")
        #expect(first.range == 0...150)
        #expect(first.plausible == 0...60)
        #expect(first.maxRatePerSecond == 8)
        #expect(first.staleAfterMs == 5000)
        // Every sensor's id template only names captured levels, and every pattern is unique.
        for s in config.sensorSpecs { #expect(s.unknownTemplateNames.isEmpty, "\(s.topic)") }
        #expect(Set(config.sensorSpecs.map(\.topic.text)).count == config.sensorSpecs.count)
    }

    @Test("the base test config is valid")
    func baseIsValid() {
        #expect(issues(base()) == [])
    }

    @Test("a broken config reports the exact line and key path", arguments: [
        // unknown key
        (base(inserting: (8, "brokr = \"x\"")), 8, "mqtt.brokr", "unknown key"),
        (base(inserting: (15, "rang = [0, 1]")), 15, "sensor[0].rang", "unknown key"),
        (base(inserting: (19, "colour = \"red\"")), 19, "sensor[1].colour", "unknown key"),
        // wrong types
        (base(replacing: 7, with: "qos = \"1\""), 7, "mqtt.qos", "must be an integer"),
        (base(replacing: 5, with: "broker = 1883"), 5, "mqtt.broker", "must be a string"),
        (base(replacing: 18, with: "period_s = \"2\""), 18, "sensor[1].period_s", "must be a number"),
        (base(inserting: (8, "clean_session = \"no\"")), 8, "mqtt.clean_session", "must be true or false"),
        (base(replacing: 13, with: "range = [0.0, \"14\"]"), 13, "sensor[0].range", "must be [low, high]"),
        (base(replacing: 13, with: "range = [0.0, 7.0, 14.0]"), 13, "sensor[0].range", "must be [low, high]"),
        // qos 2
        (base(replacing: 7, with: "qos = 2"), 7, "mqtt.qos", "2 is above the maximum 1"),
        (base(replacing: 7, with: "qos = -1"), 7, "mqtt.qos", "-1 is below the minimum 0"),
        // id template naming an uncaptured level
        (base(replacing: 11, with: "id = \"{line}/{cell}/ph\""), 11, "sensor[0].id", "{line} is not captured"),
        // plausible outside range
        (base(replacing: 14, with: "plausible = [5.0, 15.0]"), 14, "sensor[0].plausible", "must lie inside range"),
        (base(replacing: 14, with: "plausible = [-1, 8]"), 14, "sensor[0].plausible", "must lie inside range"),
        // range low >= high
        (base(replacing: 13, with: "range = [14.0, 0.0]"), 13, "sensor[0].range", "must be below high bound"),
        (base(replacing: 13, with: "range = [3, 3]"), 13, "sensor[0].range", "must be below high bound"),
        // bad broker URLs
        (base(replacing: 5, with: "broker = \"http://127.0.0.1:1883\""), 5, "mqtt.broker", "only mqtt://"),
        (base(replacing: 5, with: "broker = \"mqtt://127.0.0.1:99999\""), 5, "mqtt.broker", "port must be 1–65535"),
        (base(replacing: 5, with: "broker = \"mqtt://:1883\""), 5, "mqtt.broker", "is not mqtt://host[:port]"),
        (base(replacing: 5, with: "broker = \"mqtt://a:b:c\""), 5, "mqtt.broker", "is not mqtt://host[:port]"),
        // unreadable password file
        (base(inserting: (8, "username = \"u\"\npassword_file = \"/nonexistent/tinsense/pw\"")), 9, "mqtt.password_file", "cannot read /nonexistent/tinsense/pw"),
        // other checks
        (base(inserting: (8, "subscribe = [\"a/#/b\"]")), 8, "mqtt.subscribe[0]", "'#' must be a whole last level"),
        (base(inserting: (15, "rate_action = \"drop\"")), 15, "sensor[0].rate_action", "is not one of: downgrade, quarantine"),
        (base(inserting: (19, "stale_after_s = 1")), 19, "sensor[1].stale_after_s", "shorter than period_s"),
        (base(replacing: 17, with: "topic = \"plant/+/flotation/{cell}/ph\""), 17, "sensor[1].topic", "same pattern as sensor[0]"),
        (base(replacing: 1, with: "[deamon]"), 1, "deamon", "unknown section"),
        (base(inserting: (8, "keepalive_s = 0")), 8, "mqtt.keepalive_s", "0 is below the minimum 5"),
        (base(replacing: 2, with: "log_level = \"loud\""), 2, "daemon.log_level", "is not one of"),
    ] as [(String, Int, String, String)])
    func brokenConfig(text: String, line: Int, keyPath: String, messagePart: String) throws {
        let found = issues(text)
        #expect(found.count == 1, "\(found)")
        let issue = try #require(found.first)
        #expect(issue.line == line, "\(issue)")
        #expect(issue.keyPath == keyPath, "\(issue)")
        #expect(issue.message.contains(messagePart), "\(issue)")
        #expect(issue.file == "test.toml")
        #expect(issue.description.hasPrefix("test.toml:\(line): \(keyPath): "))
    }

    @Test("a TOML syntax error names its line and no key path", arguments: [
        (base(replacing: 7, with: "qos = = 1"), 7),
        (base(replacing: 12, with: "unit = \"[pH]"), 12),
        (base(replacing: 16, with: "[[sensor]"), 16),
        (base(inserting: (4, "data_dir = \"again\"")), 4),   // duplicate key
    ] as [(String, Int)])
    func syntaxError(text: String, line: Int) throws {
        let found = issues(text)
        let issue = try #require(found.first)
        #expect(found.count == 1)
        #expect(issue.line == line, "\(issue)")
        #expect(issue.keyPath == "")
        #expect(issue.message.hasPrefix("TOML syntax"))
    }

    @Test("a config without [[sensor]] is an error without a line")
    func missingSensors() throws {
        let text = baseLines.prefix(7).joined(separator: "\n") + "\n"
        let found = issues(text)
        let issue = try #require(found.first)
        #expect(found.count == 1)
        #expect(issue.keyPath == "sensor")
        #expect(issue.line == nil)
        #expect(issue.message.contains("no [[sensor]] entries"))
        #expect(issue.description == "test.toml: sensor: \(issue.message)")
    }

    @Test("a bad topic pattern names the topic's line and key path", arguments: [
        (base(replacing: 17, with: "topic = \"plant/#/speed\""), 17, "sensor[1].topic", "'#' must be the last level"),
        (base(replacing: 10, with: "topic = \"plant/x+/{cell}/ph\""), 10, "sensor[0].topic", "mixes a wildcard"),
        (base(replacing: 10, with: "topic = \"plant/{topic}/ph\""), 10, "sensor[0].topic", "reserved"),
    ] as [(String, Int, String, String)])
    func badTopic(text: String, line: Int, keyPath: String, messagePart: String) {
        let found = issues(text)
        #expect(found.contains { $0.line == line && $0.keyPath == keyPath && $0.message.contains(messagePart) }, "\(found)")
    }

    @Test("a missing required topic points at its [[sensor]] header")
    func missingTopic() throws {
        let found = issues(base(replacing: 17, with: "unit = \"rpm\""))
        let issue = try #require(found.first)
        #expect(issue.keyPath == "sensor[1].topic")
        #expect(issue.line == 16)
        #expect(issue.message.contains("is required"))
    }

    @Test("a bad or missing topic is the only issue of its sensor: its other keys are not 'unknown'")
    func badTopicReportsOnlyTopic() {
        for text in [
            base(replacing: 17, with: "topic = \"plant/#/speed\""),
            base(replacing: 10, with: "topic = \"plant/x+/{cell}/ph\""),
            base(replacing: 17, with: "unit = \"rpm\""),
        ] {
            let found = issues(text)
            #expect(found.count == 1, "\(found.map(\.description))")
            #expect(!found.contains { $0.message == "unknown key" }, "\(found.map(\.description))")
        }
    }

    @Test("an empty broker is reported on its line")
    func emptyBroker() {
        let found = issues(base(replacing: 5, with: "broker = \"\""))
        #expect(!found.isEmpty)
        #expect(found.allSatisfy { $0.line == 5 && $0.keyPath == "mqtt.broker" }, "\(found)")
        #expect(found.contains { $0.message.contains("must not be empty") })
    }

    @Test("several errors are reported at once, ordered by line")
    func severalErrors() {
        var lines = baseLines
        lines[6] = "qos = 2"                             // line 7
        lines[12] = "range = [14.0, 0.0]"               // line 13
        lines[17] = "period_s = \"fast\""               // line 18
        lines.insert("brokr = \"x\"", at: 5)            // becomes line 6, pushing the rest down by one
        let found = issues(lines.joined(separator: "\n"))
        #expect(found.map(\.line) == [6, 8, 14, 19])
        #expect(found.map(\.keyPath) == ["mqtt.brokr", "mqtt.qos", "sensor[0].range", "sensor[1].period_s"])
        do {
            _ = try ConfigLoader.parse(lines.joined(separator: "\n"), file: "x.toml")
            Issue.record("parse succeeded")
        } catch {
            #expect(error.description.split(separator: "\n").count == 4)
            #expect(error.description.hasPrefix("x.toml:6: mqtt.brokr: unknown key"))
        }
    }

    @Test("lines stay right after multi-line arrays and comments")
    func linesAfterMultilineValues() throws {
        let text = """
        # tinsense
        [mqtt]
        subscribe = [
          "plant/#",   # everything
          "other/+",
        ]
        # a comment with key = value in it
        qos = 3

        [[sensor]]
        topic = "plant/x"
        """
        let found = issues(text)
        let issue = try #require(found.first)
        #expect(found.count == 1)
        #expect(issue.keyPath == "mqtt.qos")
        #expect(issue.line == 8)
    }

    @Test("defaults are applied: stale_after_s = 5 × period_s, period 1 s, downgrade, no rate check")
    func defaults() throws {
        let config = try ConfigLoader.parse(base(), file: "test.toml")
        #expect(config.sensorSpecs.count == 2)
        let ph = config.sensorSpecs[0]
        #expect(ph.periodMs == 1000)
        #expect(ph.staleAfterMs == 5000)
        #expect(ph.rateAction == .downgrade)
        #expect(ph.maxRatePerSecond == nil)
        #expect(ph.unit == "[pH]")
        #expect(ph.range == 0...14)
        #expect(ph.plausible == 5...8)
        let feeder = config.sensorSpecs[1]
        #expect(feeder.periodMs == 2000)
        #expect(feeder.staleAfterMs == 10_000)
        #expect(feeder.idTemplate == nil)
        #expect(feeder.unit == nil)
        #expect(feeder.range == nil)
        #expect(feeder.plausible == nil)
        // Sections not given keep their documented defaults.
        #expect(config.daemon.dataDirectory == "/tmp/tinsense-test")
        #expect(config.daemon.logLevel == "info")
        #expect(config.mqtt.keepaliveSeconds == 30)
        #expect(config.mqtt.cleanSession == false)
        #expect(config.mqtt.queueCapacity == 8192)
        #expect(config.storage.fsyncIntervalMs == 200)
        #expect(config.storage.outOfOrderToleranceSeconds == 300)
        #expect(config.validation.maxPayloadBytes == 65_536)
        #expect(config.validation.maxBatch == 1_000)
        #expect(config.validationPolicy == ValidationPolicy(maxFutureSkewMs: 300_000, maxPastAgeMs: 604_800_000, outOfOrderToleranceMs: 300_000))
        // Without mqtt.subscribe, one filter per sensor pattern.
        #expect(config.subscriptions == ["plant/+/flotation/+/ph", "plant/feeder/speed"])
    }

    @Test("explicit values override defaults; max_rate 0 and stale_after_s 0 switch checks off")
    func explicitValues() throws {
        let text = base(inserting: (19, "max_rate = 0.5\nrate_action = \"quarantine\"\nstale_after_s = 0"))
            + "\n[[sensor]]\ntopic = \"plant/mill/power\"\nmax_rate = 0\nperiod_s = 0.5\n"
        let config = try ConfigLoader.parse(text, file: "t.toml")
        #expect(config.sensorSpecs[1].maxRatePerSecond == 0.5)
        #expect(config.sensorSpecs[1].rateAction == .quarantine)
        #expect(config.sensorSpecs[1].staleAfterMs == nil)
        #expect(config.sensorSpecs[2].maxRatePerSecond == nil)
        #expect(config.sensorSpecs[2].periodMs == 500)
        #expect(config.sensorSpecs[2].staleAfterMs == 2500)
    }

    @Test("each [[sensor]] entry keeps its own detectors beside its spec")
    func sensorEntryPairsSpecAndDetection() throws {
        let config = try ConfigLoader.parse(base(inserting: (19, "detectors = []")), file: "t.toml")
        #expect(config.sensors.map(\.spec.topic.text) == ["plant/+/flotation/{cell}/ph", "plant/feeder/speed"])
        #expect(config.sensors[0].detection.spec != nil)
        #expect(config.sensors[1].detection.spec == nil)
        #expect(config.sensors[1].detection.rules == ["anomaly"])
    }

    @Test("a readable private password file and a user name are taken")
    func passwordFile() throws {
        let dir = TemporaryDirectory("pw")
        let path = dir.file("password")
        #expect(FileManager.default.createFile(atPath: path, contents: Data("secret\n".utf8), attributes: [.posixPermissions: 0o600]))
        let config = try ConfigLoader.parse(base(inserting: (8, "username = \"ops\"\npassword_file = \"\(path)\"")), file: "t.toml")
        #expect(config.mqtt.passwordFile == path)
        #expect(config.mqtt.username == "ops")
    }

    @Test("a file that cannot be read is one issue without a line")
    func unreadableConfigFile() {
        do {
            _ = try ConfigLoader.load(path: "/nonexistent/tinsense.toml")
            Issue.record("loaded a missing file")
        } catch {
            #expect(error.issues.count == 1)
            #expect(error.issues.first?.line == nil)
            #expect(error.issues.first?.file == "/nonexistent/tinsense.toml")
            #expect(error.issues.first?.message.contains("cannot read the file") == true)
        }
    }

    @Test("broker URLs given on the command line are checked the same way")
    func brokerProblem() {
        #expect(ConfigLoader.brokerProblem("mqtt://localhost:1883") == nil)
        #expect(ConfigLoader.brokerProblem("tcp://10.0.0.5") == nil)
        #expect(ConfigLoader.brokerProblem("localhost:1883") == nil)
        #expect(ConfigLoader.brokerProblem("mqtts://localhost:8883") == nil)
        #expect(ConfigLoader.brokerProblem("ssl://localhost:8883") != nil)
        #expect(ConfigLoader.brokerProblem("mqtt://localhost:0") != nil)
        #expect(ConfigLoader.brokerProblem("mqtt://localhost:") != nil)
        #expect(ConfigLoader.brokerProblem("mqtt://") != nil)
    }
}

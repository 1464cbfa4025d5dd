import Testing
import TinsenseConfig

/// `mqtt.protocol`, `mqtt.session_expiry_s` and `mqtt.share_group` (docs/SCALING.md): what
/// each accepts, what it does to the subscriptions, and each mistake as one issue at its line.
@Suite("config: MQTT 5 and shared-subscription keys")
struct MQTT5KeysTests {
    /// A valid config whose `[mqtt]` section ends with `mqtt` (starting at line 4).
    static func text(_ mqtt: String) -> String {
        """
        [mqtt]
        broker = "mqtt://127.0.0.1:1883"
        client_id = "t"
        \(mqtt)

        [[sensor]]
        topic = "plant/+/+"

        [[sensor]]
        topic = "lab/xrf/sn"
        """
    }


    @Test("the default is MQTT 3.1.1 with a week of session expiry held in reserve and no sharing")
    func defaults() throws {
        let config = try ConfigLoader.parse(MQTT5KeysTests.text(""), file: "t.toml")
        #expect(config.mqtt.protocolVersion == .v311)
        #expect(config.mqtt.sessionExpirySeconds == 604_800)
        #expect(config.mqtt.shareGroup == nil)
        #expect(config.subscriptions == ["plant/+/+", "lab/xrf/sn"])
    }

    @Test("protocol = 5, \"5\" and \"3.1.1\" are the accepted spellings", arguments: [
        ("protocol = 5", Config.MQTT.ProtocolVersion.v5),
        (#"protocol = "5""#, .v5),
        (#"protocol = "3.1.1""#, .v311),
    ])
    func spellings(line: String, expected: Config.MQTT.ProtocolVersion) throws {
        let config = try ConfigLoader.parse(MQTT5KeysTests.text(line), file: "t.toml")
        #expect(config.mqtt.protocolVersion == expected)
    }

    @Test("protocol 5 keeps the session session_expiry_s, up to 0xFFFFFFFF (never expires)")
    func expiry() throws {
        let config = try ConfigLoader.parse(MQTT5KeysTests.text("protocol = 5\nsession_expiry_s = 4294967295"), file: "t.toml")
        #expect(config.mqtt.sessionExpirySeconds == 4_294_967_295)
    }

    @Test("share_group subscribes every filter, derived or listed, as $share/GROUP/FILTER")
    func shareGroup() throws {
        let derived = try ConfigLoader.parse(MQTT5KeysTests.text(#"share_group = "tinsense""#), file: "t.toml")
        #expect(derived.subscriptions == ["$share/tinsense/plant/+/+", "$share/tinsense/lab/xrf/sn"])
        let listed = try ConfigLoader.parse(MQTT5KeysTests.text("protocol = 5\nshare_group = \"g1\"\nsubscribe = [\"plant/#\"]"), file: "t.toml")
        #expect(listed.subscriptions == ["$share/g1/plant/#"])
    }

    @Test("share_group = \"\" is no sharing, as for the other optional names")
    func emptyGroup() throws {
        let config = try ConfigLoader.parse(MQTT5KeysTests.text(#"share_group = """#), file: "t.toml")
        #expect(config.mqtt.shareGroup == nil)
        #expect(config.subscriptions == ["plant/+/+", "lab/xrf/sn"])
    }

    @Test("a $share/GROUP/FILTER written in subscribe is taken as it is")
    func explicitShare() throws {
        let config = try ConfigLoader.parse(MQTT5KeysTests.text(#"subscribe = ["$share/site-a/plant/#", "lab/#"]"#), file: "t.toml")
        #expect(config.subscriptions == ["$share/site-a/plant/#", "lab/#"])
    }

    @Test("each misuse of the keys is named at its line", arguments: [
        ("protocol = 4", 4, "mqtt.protocol", "4 is not a supported MQTT version: use \"3.1.1\""),
        (#"protocol = "3.1""#, 4, "mqtt.protocol", "\"3.1\" is not a supported MQTT version"),
        ("protocol = 5.0", 4, "mqtt.protocol", "is not a supported MQTT version"),
        ("session_expiry_s = 60", 4, "mqtt.session_expiry_s", "applies to protocol = 5 only"),
        ("protocol = 5\nclean_session = true\nsession_expiry_s = 60", 6, "mqtt.session_expiry_s", "clean_session = true"),
        ("protocol = 5\nsession_expiry_s = 4294967296", 5, "mqtt.session_expiry_s", "above the maximum"),
        ("protocol = 5\nsession_expiry_s = -1", 5, "mqtt.session_expiry_s", "below the minimum 0"),
        (#"share_group = "a/b""#, 4, "mqtt.share_group", "must not contain '/'"),
        (#"share_group = "a+""#, 4, "mqtt.share_group", "must not contain '+'"),
        (##"share_group = "#""##, 4, "mqtt.share_group", "must not contain '#'"),
        ("share_group = \"\(String(repeating: "g", count: 129))\"", 4, "mqtt.share_group", "longer than 128 bytes"),
        ("share_group = 7", 4, "mqtt.share_group", "must be a string"),
        (#"subscribe = ["$share/g+/plant/#"]"#, 4, "mqtt.subscribe[0]", "must not contain '+'"),
        (#"subscribe = ["$share/g"]"#, 4, "mqtt.subscribe[0]", "a shared subscription is $share/GROUP/FILTER"),
        (#"subscribe = ["$share//plant/#"]"#, 4, "mqtt.subscribe[0]", "the share group name is empty"),
        (#"subscribe = ["$share/g/"]"#, 4, "mqtt.subscribe[0]", "no topic filter after the share group"),
        (#"subscribe = ["$share/g/plant/#/x"]"#, 4, "mqtt.subscribe[0]", "'#' must be a whole last level"),
        ("share_group = \"g\"\nsubscribe = [\"$share/h/plant/#\"]", 5, "mqtt.subscribe[0]", "is already shared"),
    ] as [(String, Int, String, String)])
    func misuse(lines text: String, line: Int, keyPath: String, messagePart: String) throws {
        let found = issues(MQTT5KeysTests.text(text))
        #expect(found.count == 1, "\(found)")
        let issue = try #require(found.first)
        #expect(issue.line == line, "\(issue)")
        #expect(issue.keyPath == keyPath, "\(issue)")
        #expect(issue.message.contains(messagePart), "\(issue)")
    }
}

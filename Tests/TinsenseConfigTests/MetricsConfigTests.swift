import Testing
import TinsenseConfig

/// `[metrics]`: on by default on loopback; `listen` must be a numeric address, with FILE:LINE.
@Suite("[metrics] config")
struct MetricsConfigTests {
    static let sensor = "\n[[sensor]]\ntopic = \"plant/feeder/speed\"\n"

    @Test("without [metrics], /metrics is served on 127.0.0.1:9469")
    func defaults() throws {
        let config = try ConfigLoader.parse(MetricsConfigTests.sensor, file: "t.toml")
        #expect(config.metrics.enabled)
        #expect(config.metrics.listen == ListenAddress(host: "127.0.0.1", port: 9469))
    }

    @Test("listen takes IPv4 and bracketed IPv6 addresses", arguments: [
        ("0.0.0.0:9100", ListenAddress(host: "0.0.0.0", port: 9100)),
        ("[::1]:9469", ListenAddress(host: "::1", port: 9469)),
        ("[fd00::12]:80", ListenAddress(host: "fd00::12", port: 80)),
    ])
    func addresses(text: String, expected: ListenAddress) throws {
        let config = try ConfigLoader.parse("[metrics]\nenabled = false\nlisten = \"\(text)\"\n" + MetricsConfigTests.sensor, file: "t.toml")
        #expect(!config.metrics.enabled)
        #expect(config.metrics.listen == expected)
        #expect(config.metrics.listen.description == text)
    }

    @Test("a listen value that is not a numeric address:port is an error at its line", arguments: [
        "localhost:9469", "127.0.0.1", "127.0.0.1:0", "127.0.0.1:70000", "1.2.3:9469", "256.1.1.1:9469", "::1:9469", "[::1]", "[]:9469", ":9469",
    ])
    func badListen(text: String) {
        #expect {
            _ = try ConfigLoader.parse("[metrics]\n\nlisten = \"\(text)\"\n" + MetricsConfigTests.sensor, file: "t.toml")
        } throws: { error in
            let issues = (error as? ConfigError)?.issues ?? []
            return issues.count == 1 && issues[0].line == 3 && issues[0].keyPath == "metrics.listen"
                && issues[0].description.hasPrefix("t.toml:3:")
        }
    }

    @Test("an unknown [metrics] key is an error, not a silent default")
    func unknownKey() {
        #expect(throws: ConfigError.self) {
            _ = try ConfigLoader.parse("[metrics]\nlisten_port = 9469\n" + MetricsConfigTests.sensor, file: "t.toml")
        }
    }
}

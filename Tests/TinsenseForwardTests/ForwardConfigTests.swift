import Testing
import TinsenseConfig
@testable import TinsenseForward

/// `[forward]`: off by default; every key checked, with FILE:LINE errors.
@Suite("[forward] config")
struct ForwardConfigTests {
    static let sensor = "\n[[sensor]]\ntopic = \"plant/feeder/speed\"\n"

    @Test("without [forward] nothing is forwarded; the defaults suit a large plant")
    func defaults() throws {
        let config = try ConfigLoader.parse(ForwardConfigTests.sensor, file: "t.toml")
        #expect(!config.forward.enabled)
        #expect(config.forward.url == "http://127.0.0.1:8428")
        #expect(config.forward.spoolMaxBytes == 1024 << 20)
    }

    @Test("every key is read, and labels become extra_label query arguments")
    func keys() throws {
        let text = """
        [forward]
        enabled = true
        url = "https://vminsert.example:8480/insert/0/influx/"
        labels = ["site=pilot 1", "area=flotation"]
        batch_max_readings = 100
        batch_max_delay_ms = 0
        spool_max_mb = 0.5
        retry_min_s = 0.5
        retry_max_s = 5
        timeout_s = 2.5
        """ + ForwardConfigTests.sensor
        let f = try ConfigLoader.parse(text, file: "t.toml").forward
        #expect(f.enabled && f.batchMaxReadings == 100 && f.batchMaxDelayMs == 0 && f.spoolMaxBytes == 524_288)
        #expect(f.retryMinSeconds == 0.5 && f.retryMaxSeconds == 5 && f.timeoutSeconds == 2.5)
        #expect(Forwarder.writeURL(f) == "https://vminsert.example:8480/insert/0/influx/write?precision=ms&extra_label=site=pilot%201&extra_label=area=flotation")
    }

    @Test("a bad value is an error naming its file, line and key", arguments: [
        ("url = \"ftp://vm:21\"", "forward.url"),
        ("url = \"http://user:secret@vm:8428\"", "forward.url"),
        ("url = \"http://vm:8428/write?db=x\"", "forward.url"),
        ("url = \"http://\"", "forward.url"),
        ("labels = [\"no-equals\"]", "forward.labels[0]"),
        ("labels = [\"sensor=x\"]", "forward.labels[0]"),
        ("labels = [\"1abc=x\"]", "forward.labels[0]"),
        ("batch_max_readings = 0", "forward.batch_max_readings"),
        ("batch_max_readings = 99999999999", "forward.batch_max_readings"),
        ("spool_max_mb = 0", "forward.spool_max_mb"),
        ("spool_max_mb = nan", "forward.spool_max_mb"),
        ("retry_max_s = 0.001", "forward.retry_max_s"),
        ("timeout_s = -1", "forward.timeout_s"),
        ("tls_ca_file = \"/nonexistent/ca.pem\"", "forward.tls_ca_file"),
        ("spool = 3", "forward.spool"),
    ])
    func badValue(line: String, key: String) {
        #expect {
            _ = try ConfigLoader.parse("[forward]\nenabled = true\n\(line)\n" + ForwardConfigTests.sensor, file: "t.toml")
        } throws: { error in
            let issues = (error as? ConfigError)?.issues ?? []
            return issues.count == 1 && issues[0].keyPath == key && issues[0].description.hasPrefix("t.toml:3:")
        }
    }

    @Test("retry_max_s below retry_min_s is refused")
    func retryOrder() {
        #expect(throws: ConfigError.self) {
            _ = try ConfigLoader.parse("[forward]\nretry_min_s = 10\nretry_max_s = 5\n" + ForwardConfigTests.sensor, file: "t.toml")
        }
    }
}

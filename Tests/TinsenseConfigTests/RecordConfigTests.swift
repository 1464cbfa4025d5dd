import Testing
import TinsenseConfig

@Suite("[record] keys")
struct RecordConfigTests {
    @Test("[record] is off by default and reads enabled, dir, retention_hours and max_gb")
    func reads() throws {
        #expect(Config().record.enabled == false)
        let c = try ConfigLoader.parse("""
        [record]
        enabled = true
        dir = "/var/lib/tinsense/record"
        retention_hours = 72
        max_gb = 2.5

        [[sensor]]
        topic = "plant/x"
        """, file: "t.toml")
        #expect(c.record.enabled && c.record.directory == "/var/lib/tinsense/record")
        #expect(c.record.retentionHours == 72 && c.record.maxGB == 2.5)
    }

    @Test("a mistyped [record] key is an issue at FILE:LINE")
    func unknownKey() {
        do {
            _ = try ConfigLoader.parse("[record]\nenabled = true\nretention_hour = 3\n[[sensor]]\ntopic = \"plant/x\"\n", file: "t.toml")
            Issue.record("accepted a mistyped key")
        } catch {
            #expect("\(error)".contains("t.toml:3"), "\(error)")
        }
    }
}

import Foundation
import Testing
import TinsenseConfig
import TinsenseTestSupport

/// The `[mqtt]` keys of docs/SECURITY.md: TLS files, the password from a file or a systemd
/// credential, the refusal limit. Each mistake is one issue with its line.
@Suite("config: TLS and credential keys")
struct SecurityKeysTests {
    /// A valid config whose `[mqtt]` section ends with `mqtt` (starting at line 4).
    static func text(broker: String = "mqtts://broker.plant:8883", _ mqtt: String) -> String {
        """
        [mqtt]
        broker = "\(broker)"
        client_id = "t"
        \(mqtt)

        [[sensor]]
        topic = "a/b"
        """
    }


    @Test("mqtts with a CA file, a client certificate, a private key and a private password file is accepted")
    func validTLSAndPassword() throws {
        let dir = TemporaryDirectory("cfg-tls")
        for name in ["ca.crt", "client.crt", "client.key", "pw"] {
            _ = FileManager.default.createFile(atPath: dir.file(name), contents: Data("x\n".utf8), attributes: [.posixPermissions: 0o600])
        }
        let config = try ConfigLoader.parse(SecurityKeysTests.text("""
            tls_ca_file = "\(dir.file("ca.crt"))"
            tls_cert_file = "\(dir.file("client.crt"))"
            tls_key_file = "\(dir.file("client.key"))"
            username = "tinsense"
            password_file = "\(dir.file("pw"))"
            refusals_before_exit = 0
            """), file: "t.toml")
        #expect(config.mqtt.tlsCAFile == dir.file("ca.crt"))
        #expect(config.mqtt.tlsKeyFile == dir.file("client.key"))
        #expect(config.mqtt.passwordFile == dir.file("pw"))
        #expect(config.mqtt.refusalsBeforeExit == 0)
        #expect(Config().mqtt.refusalsBeforeExit == 10)
    }

    @Test("a password file or key others can read is an issue at its line")
    func openSecrets() throws {
        let dir = TemporaryDirectory("cfg-open")
        _ = FileManager.default.createFile(atPath: dir.file("pw"), contents: Data("x".utf8), attributes: [.posixPermissions: 0o640])
        let found = issues(SecurityKeysTests.text(broker: "mqtt://127.0.0.1", """
            username = "tinsense"
            password_file = "\(dir.file("pw"))"
            """))
        #expect(found.count == 1, "\(found)")
        #expect(found.first?.line == 5)
        #expect(found.first?.message.contains("accessible by group or others (mode 0640)") == true, "\(found)")
    }

    @Test("each misuse of the keys is named", arguments: [
        (#"tls_ca_file = "/etc/passwd""#, "mqtt://127.0.0.1", 4, "mqtt.tls_ca_file", "is \"mqtt://127.0.0.1\"; use mqtts://"),
        (#"tls_ca_file = "/nonexistent/ca.crt""#, "mqtts://127.0.0.1", 4, "mqtt.tls_ca_file", "cannot read /nonexistent/ca.crt"),
        (#"tls_cert_file = "/etc/passwd""#, "mqtts://127.0.0.1", 4, "mqtt.tls_cert_file", "needs both tls_cert_file and tls_key_file"),
        ("username = \"u\"\npassword_credential = \"a/b\"", "mqtts://127.0.0.1", 5, "mqtt.password_credential", "must be a credential name"),
        (#"password_credential = "mqtt-password""#, "mqtts://127.0.0.1", 4, "mqtt.password_credential", "a password needs mqtt.username"),
        ("refusals_before_exit = -1", "mqtts://127.0.0.1", 4, "mqtt.refusals_before_exit", "below the minimum 0"),
        ("", "mqtts://127.0.0.1:0", 2, "mqtt.broker", "port must be 1–65535"),
    ] as [(String, String, Int, String, String)])
    func misuse(lines text: String, broker: String, line: Int, keyPath: String, messagePart: String) throws {
        let found = issues(SecurityKeysTests.text(broker: broker, text))
        #expect(found.count == 1, "\(found)")
        let issue = try #require(found.first)
        #expect(issue.line == line, "\(issue)")
        #expect(issue.keyPath == keyPath, "\(issue)")
        #expect(issue.message.contains(messagePart), "\(issue)")
    }
}

import Foundation
import Logging
import Testing
import TinsenseMQTT
import TinsenseTestSupport

/// The broker connection an operator can trust (docs/SECURITY.md): `mqtts://` with the
/// broker's certificate verified (chain and host name), a password from a private file or a
/// systemd credential, refusals reported clearly and retried with backoff, never a busy loop;
/// the alert republisher on the same settings. Brokers and certificates are the test's own.
@Suite("broker security: TLS, passwords, refusals", .serialized)
struct BrokerSecurityTests {
    static let password = "pw-\(UUID().uuidString.prefix(8))-never-logged"

    /// A daemon config for `broker` with extra `[mqtt]` lines (TLS files, credentials).
    static func config(_ dir: TemporaryDirectory, name: String, broker: String, mqtt: String, alerts: String = "") throws -> String {
        let path = dir.file("tinsense.toml")
        try """
        [daemon]
        data_dir = "\(dir.file("data"))"
        stats_interval_s = 1

        [mqtt]
        broker = "\(broker)"
        client_id = "tinsense-\(name)-\(getpid())"
        subscribe = ["sec/#"]
        reconnect_min_s = 1
        reconnect_max_s = 2
        \(mqtt)

        [storage]
        fsync_interval_ms = 50

        [alerts]
        \(alerts)

        [[sensor]]
        topic = "sec/{sensor}"
        id = "{sensor}"
        unit = "u"
        period_s = 1
        stale_after_s = 2
        """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func privateFile(_ path: String, _ text: String) throws -> String {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o600)
        return path
    }

    static func reading(_ k: Int) -> String {
        #"{"ts":"\#(TestClock.anHourAgo.adding(milliseconds: Int64(k) * 1000))","value":\#(k),"unit":"u"}"#
    }

    static func lines(_ log: String, containing text: String) -> Int {
        log.split(separator: "\n").filter { $0.contains(text) }.count
    }

    @Test("mqtts with the test CA and a password: readings stored, alerts republished through the same authenticating TLS broker, the password in no log line even at trace",
          arguments: [#""3.1.1""#, "5"])
    func tlsWithPasswordAndRepublishedAlerts(mqttProtocol: String) throws {
        let certs = try TestCertificates()
        let dir = TemporaryDirectory("sec-ok")
        let passwords = try MosquittoBroker.passwordFile(users: ["tinsense": BrokerSecurityTests.password, "reader": "reader-pw"], in: dir)
        let broker = try MosquittoBroker(tls: certs.listener(), passwordFile: passwords)
        try broker.start()
        let passwordFile = try BrokerSecurityTests.privateFile(dir.file("mqtt-password"), BrokerSecurityTests.password + "\n")
        let config = try BrokerSecurityTests.config(dir, name: "secok", broker: broker.url, mqtt: """
            tls_ca_file = "\(certs.caFile)"
            username = "tinsense"
            password_file = "\(passwordFile)"
            protocol = \(mqttProtocol)
            """, alerts: #"mqtt_topic = "tinsense/sec/alerts/{state}/{sensor}""#)
        let daemon = DaemonProcess(configPath: config, dataDirectory: dir.file("data"), broker: broker.url, logPath: dir.file("daemon.log"))
        daemon.extraArguments = ["--log-level", "trace"]
        let reader = try ChildProcess("/usr/bin/mosquitto_sub", [
            "-h", "127.0.0.1", "-p", "\(broker.port)", "--cafile", certs.caFile, "-u", "reader", "-P", "reader-pw",
            "-t", "tinsense/sec/alerts/#", "-v",
        ], outputPath: dir.file("alerts-seen.txt"))
        defer { reader.signal(SIGTERM); reader.wait() }
        try daemon.start()
        #expect(eventually(timeout: 20) { daemon.log.contains("connected to broker") }, "never connected: \(daemon.log.suffix(2000))")

        let publisher = try MQTTPublisher(
            connection: BrokerConnection(broker: BrokerURL(parsing: broker.url), tls: TLSFiles(caFile: certs.caFile), username: "reader", password: "reader-pw",
                                         mqttProtocol: mqttProtocol == "5" ? .v5 : .v311),
            clientID: "sec-pub-\(getpid())", logger: Logger(label: "test-publisher")
        )
        try publisher.connect(timeout: .seconds(10))
        for k in 0..<5 { try publisher.publish(topic: "sec/probe", payload: BrokerSecurityTests.reading(k), qos: 1, retain: false) }
        try publisher.flush(timeout: .seconds(10))
        publisher.disconnect()
        #expect(daemon.waitUntilQuiet(minimum: 5, quiet: 1, timeout: 30), "daemon saw \(daemon.messagesSeen) of 5")
        // The sensor goes silent: after stale_after_s (2 s) its stale alert fires and is republished.
        let seen = eventually(timeout: 20) {
            ((try? String(contentsOfFile: dir.file("alerts-seen.txt"), encoding: .utf8)) ?? "").contains("tinsense/sec/alerts/firing/probe {")
        }
        #expect(seen, "no republished alert; daemon log: \(daemon.log.suffix(2000))")
        #expect(daemon.stop() == 0)
        #expect(!daemon.log.contains(BrokerSecurityTests.password), "the password appears in the daemon's stderr")
        #expect(daemon.log.contains("libmosquitto:"), "trace level should include libmosquitto's own lines")
        #expect(!daemon.log.contains("cannot republish"), "the republisher could not connect: \(daemon.log.suffix(2000))")
    }

    @Test("a broker whose certificate does not chain to tls_ca_file: refused naming the verification failure, retried with backoff, no busy loop")
    func wrongCARetriedWithBackoff() throws {
        let certs = try TestCertificates()
        let broker = try MosquittoBroker(tls: certs.listener())
        try broker.start()
        let dir = TemporaryDirectory("sec-ca")
        let config = try BrokerSecurityTests.config(dir, name: "secca", broker: broker.url, mqtt: """
            tls_ca_file = "\(certs.otherCAFile)"
            refusals_before_exit = 0
            """)
        let daemon = DaemonProcess(configPath: config, dataDirectory: dir.file("data"), broker: broker.url, logPath: dir.file("daemon.log"))
        try daemon.start()
        #expect(eventually(timeout: 10) { daemon.log.contains("TLS handshake failed") }, "no TLS failure logged: \(daemon.log.suffix(2000))")
        let share = daemon.proc?.cpuShare(over: 6) ?? 1
        let attempts = BrokerSecurityTests.lines(daemon.log, containing: "cannot connect to the broker: TLS handshake failed")
        print("wrong-CA figures: \(attempts) attempts in ~7 s, daemon CPU \(Int(share * 1000)) ‰ of a core")
        // Backoff 1 s, 2 s, 2 s, …: about 4 attempts in 7 s; a busy loop would make thousands.
        #expect((2...8).contains(attempts), "\(attempts) TLS attempts in ~7 s")
        #expect(share < BrokerFaultTests.idleCPUBound, "daemon used \(Int(share * 100)) % of a core while refused")
        #expect(daemon.log.contains("certificate verify failed"), "the reason is not named: \(daemon.log.suffix(1500))")
        #expect(daemon.isRunning, "refusals_before_exit = 0 keeps retrying")
        #expect(!daemon.log.contains("connected to broker"))
        #expect(daemon.stop() == 0)
    }

    @Test("a TLS broker restarted twice: the daemon reconnects each time (the restart path keeps TLS)")
    func tlsBrokerRestart() throws {
        let certs = try TestCertificates()
        let broker = try MosquittoBroker(tls: certs.listener())
        try broker.start()
        let dir = TemporaryDirectory("sec-restart")
        let config = try BrokerSecurityTests.config(dir, name: "secrestart", broker: broker.url, mqtt: """
            tls_ca_file = "\(certs.caFile)"
            """)
        let daemon = DaemonProcess(configPath: config, dataDirectory: dir.file("data"), broker: broker.url, logPath: dir.file("daemon.log"))
        try daemon.start()
        #expect(eventually(timeout: 20) { daemon.log.contains("connected to broker") }, "\(daemon.log.suffix(2000))")
        for round in 1...2 {
            broker.stop()
            Thread.sleep(forTimeInterval: 1)
            try broker.start()
            #expect(eventually(timeout: 20) { BrokerSecurityTests.lines(daemon.log, containing: "reconnected to broker") >= round }, "round \(round): \(daemon.log.suffix(2000))")
        }
        #expect(!daemon.log.contains("cannot connect to the broker"), "a restart is not a refusal: \(daemon.log.suffix(2000))")
        #expect(daemon.stop() == 0)
    }

    @Test("a broker certificate for another host name: refused (host name verification), and after refusals_before_exit the daemon exits 1")
    func wrongHostRefusedThenExit() throws {
        let certs = try TestCertificates()
        let broker = try MosquittoBroker(tls: certs.listener(wrongHost: true))
        try broker.start()
        let dir = TemporaryDirectory("sec-host")
        let config = try BrokerSecurityTests.config(dir, name: "sechost", broker: broker.url, mqtt: """
            tls_ca_file = "\(certs.caFile)"
            refusals_before_exit = 2
            """)
        let daemon = DaemonProcess(configPath: config, dataDirectory: dir.file("data"), broker: broker.url, logPath: dir.file("daemon.log"))
        try daemon.start()
        let status = daemon.waitForExit(timeout: 30)
        #expect(status == 1, "exit status \(String(describing: status)); log: \(daemon.log.suffix(2000))")
        #expect(daemon.log.contains("host name verification failed"), "\(daemon.log.suffix(1500))")
        #expect(daemon.log.contains("refused the connection 2 times in a row"))
        #expect(!daemon.log.contains("connected to broker"))
    }

    @Test("a broker that requires a client certificate: tls_cert_file and tls_key_file log in; without them the broker's refusal is named")
    func clientCertificate() throws {
        let certs = try TestCertificates()
        let broker = try MosquittoBroker(tls: certs.listener(requireClientCertificate: true))
        try broker.start()
        let dir = TemporaryDirectory("sec-client")
        let withCertificate = try BrokerSecurityTests.config(dir, name: "seccert", broker: broker.url, mqtt: """
            tls_ca_file = "\(certs.caFile)"
            tls_cert_file = "\(certs.clientCertificate)"
            tls_key_file = "\(certs.clientKey)"
            """)
        let daemon = DaemonProcess(configPath: withCertificate, dataDirectory: dir.file("data"), broker: broker.url, logPath: dir.file("daemon.log"))
        try daemon.start()
        #expect(eventually(timeout: 20) { daemon.log.contains("connected to broker") }, "\(daemon.log.suffix(2000))")
        #expect(daemon.stop() == 0)

        _ = try BrokerSecurityTests.config(dir, name: "secnocert", broker: broker.url, mqtt: """
            tls_ca_file = "\(certs.caFile)"
            refusals_before_exit = 1
            """)
        try daemon.start()
        let status = daemon.waitForExit(timeout: 30)
        #expect(status == 1, "refusals_before_exit = 1: exit 1 after the first refusal; log: \(daemon.log.suffix(2000))")
        #expect(!daemon.log.contains("] connected to broker"), "\(daemon.log.suffix(2000))")
        #expect(daemon.log.contains("cannot connect to the broker: TLS handshake failed"), "\(daemon.log.suffix(2000))")
        #expect(daemon.log.contains("certificate"), "the refusal should name the certificate: \(daemon.log.suffix(2000))")
        if status == nil { daemon.stop() }
    }

    @Test("the MQTT layer's publisher refuses an untrusted broker at once with the TLS reason")
    func publisherRefusesUntrustedBroker() throws {
        let certs = try TestCertificates()
        let broker = try MosquittoBroker(tls: certs.listener())
        try broker.start()
        let connection = BrokerConnection(broker: try BrokerURL(parsing: broker.url), tls: TLSFiles(caFile: certs.otherCAFile))
        let publisher = try MQTTPublisher(connection: connection, clientID: "sec-untrusted-\(getpid())", logger: Logger(label: "test"))
        defer { publisher.disconnect() }
        let started = Date()
        #expect {
            try publisher.connect(timeout: .seconds(10))
        } throws: { error in
            "\(error)".contains("TLS handshake with the broker failed") && "\(error)".contains("certificate verify failed")
        }
        #expect(Date().timeIntervalSince(started) < 5, "the failure should not wait for the timeout")
    }

    @Test("a wrong password: the broker's refusal (not authorised) is named, retried with backoff, and after refusals_before_exit the daemon exits 1; the password is never logged",
          arguments: [#""3.1.1""#, "5"])
    func wrongPasswordRefused(mqttProtocol: String) throws {
        let dir = TemporaryDirectory("sec-pw")
        let passwords = try MosquittoBroker.passwordFile(users: ["tinsense": "the-right-one"], in: dir)
        let broker = try MosquittoBroker(passwordFile: passwords)
        try broker.start()
        let passwordFile = try BrokerSecurityTests.privateFile(dir.file("mqtt-password"), BrokerSecurityTests.password)
        let config = try BrokerSecurityTests.config(dir, name: "secpw", broker: broker.url, mqtt: """
            username = "tinsense"
            password_file = "\(passwordFile)"
            refusals_before_exit = 3
            protocol = \(mqttProtocol)
            """)
        let daemon = DaemonProcess(configPath: config, dataDirectory: dir.file("data"), broker: broker.url, logPath: dir.file("daemon.log"))
        daemon.extraArguments = ["--log-level", "debug"]
        let started = Date()
        try daemon.start()
        let status = daemon.waitForExit(timeout: 40)
        let took = Date().timeIntervalSince(started)
        #expect(status == 1, "exit status \(String(describing: status)); log: \(daemon.log.suffix(2000))")
        // MQTT 5 names the reason code: mosquitto 2.0.11 answers 0x87 "Not authorized" to a wrong password.
        let refusal = mqttProtocol == "5" ? "CONNACK 0x87" : "not authorised"
        #expect(daemon.log.contains(refusal), "\(daemon.log.suffix(1500))")
        // The third ends the run; one more may land while it stops.
        #expect((3...4).contains(BrokerSecurityTests.lines(daemon.log, containing: "cannot connect to the broker")))
        // Three attempts with 1 s and 2 s between them: not at once, not forever.
        #expect(took > 2 && took < 30, "gave up after \(took) s")
        #expect(!daemon.log.contains(BrokerSecurityTests.password), "the password appears in the daemon's stderr")
    }

    @Test("the password from a systemd credential ($CREDENTIALS_DIRECTORY/NAME) logs in; without the variable `run` exits 2 saying so")
    func passwordFromCredential() throws {
        let dir = TemporaryDirectory("sec-cred")
        let passwords = try MosquittoBroker.passwordFile(users: ["tinsense": BrokerSecurityTests.password], in: dir)
        let broker = try MosquittoBroker(passwordFile: passwords)
        try broker.start()
        let credentials = dir.file("credentials")
        try FileManager.default.createDirectory(atPath: credentials, withIntermediateDirectories: true)
        _ = try BrokerSecurityTests.privateFile(credentials + "/mqtt-password", BrokerSecurityTests.password)
        let config = try BrokerSecurityTests.config(dir, name: "seccred", broker: broker.url, mqtt: """
            username = "tinsense"
            password_credential = "mqtt-password"
            """)
        let bare = try runTinsense(["run", "--config", config, "--data", dir.file("data")])
        #expect(bare.status == 2)
        #expect(bare.err.contains("CREDENTIALS_DIRECTORY"), "\(bare.err)")

        let daemon = DaemonProcess(configPath: config, dataDirectory: dir.file("data"), broker: broker.url, logPath: dir.file("daemon.log"))
        daemon.environment = ["CREDENTIALS_DIRECTORY": credentials]
        try daemon.start()
        #expect(eventually(timeout: 20) { daemon.log.contains("connected to broker") }, "\(daemon.log.suffix(2000))")
        #expect(daemon.stop() == 0)
        #expect(!daemon.log.contains(BrokerSecurityTests.password))
    }

    @Test("`run` refuses (exit 2, naming the file) a password file others can read and a world-writable config")
    func openPermissionsRefused() throws {
        let dir = TemporaryDirectory("sec-perm")
        let passwordFile = dir.file("mqtt-password")
        try "secret\n".write(toFile: passwordFile, atomically: true, encoding: .utf8)
        chmod(passwordFile, 0o644)
        let config = try BrokerSecurityTests.config(dir, name: "secperm", broker: "mqtt://127.0.0.1:1", mqtt: """
            username = "tinsense"
            password_file = "\(passwordFile)"
            """)
        chmod(config, 0o600)
        let open = try runTinsense(["run", "--config", config])
        #expect(open.status == 2)
        #expect(open.err.contains(passwordFile) && open.err.contains("group or others"), "\(open.err)")

        chmod(passwordFile, 0o600)
        chmod(config, 0o666)
        let writable = try runTinsense(["run", "--config", config])
        #expect(writable.status == 2)
        #expect(writable.err.contains(config) && writable.err.contains("writable by others"), "\(writable.err)")
    }
}

import Foundation
import Testing
import TinsenseMQTT
import TinsenseReplay
import TinsenseStorage
import TinsenseTestSupport

/// `tinsense record` and `tinsense replay --publish` against a site-like broker: a TLS
/// listener with the test CA and a password file, a real mosquitto on a free loopback port,
/// certificates made by openssl for the test (TinsenseTestSupport's fixtures, as the
/// daemon's BrokerSecurityTests use them). A wrong CA or password must end the command with
/// the reason and exit 1 within seconds, never hang.
@Suite("record and replay --publish with TLS and credentials", .serialized)
struct BrokerLoginTests {
    /// A secret file the way an engineer makes one: `install -m 0600 /dev/null F; echo pw > F`.
    static func secret(_ dir: TemporaryDirectory, _ name: String, _ text: String, mode: mode_t = 0o600) throws -> String {
        let path = dir.file(name)
        try (text + "\n").write(toFile: path, atomically: false, encoding: .utf8)
        chmod(path, mode)
        return path
    }

    /// Runs `tinsense ARGS`; fails the test (and kills the command) if it has not exited
    /// within `timeout` seconds. Returns the exit status, stderr and the seconds it took.
    static func run(_ arguments: [String], in dir: TemporaryDirectory, name: String, timeout: TimeInterval = 30) throws -> (status: Int32, err: String, seconds: Double) {
        let started = Date()
        let p = try ChildProcess(DaemonProcess.executable, arguments, outputPath: dir.file(name + ".out"), errorPath: dir.file(name + ".err"))
        let exited = eventually(timeout: timeout, every: 0.1) { !p.isRunning }
        if !exited { p.signal(SIGKILL) }
        let status = p.wait()
        let err = (try? String(contentsOfFile: dir.file(name + ".err"), encoding: .utf8)) ?? ""
        #expect(exited, "tinsense \(arguments.first ?? "") did not exit within \(timeout) s (a hang); stderr: \(err.suffix(1500))")
        return (status, err, Date().timeIntervalSince(started))
    }

    @Test("record from and replay into a TLS broker with a password: the recorded bytes come back on the prefixed topics; no password in any output")
    func recordAndReplayThroughTLSWithPassword() throws {
        let certs = try TestCertificates()
        let dir = TemporaryDirectory("login-ok")
        let passwords = try MosquittoBroker.passwordFile(users: ["rnd": "rnd-secret-7", "plant": "plant-secret-3"], in: dir)
        let broker = try MosquittoBroker(tls: certs.listener(), passwordFile: passwords)
        try broker.start()
        defer { broker.stop() }
        let rndPassword = try Self.secret(dir, "rnd-password", "rnd-secret-7")
        let login = ["--tls-ca-file", certs.caFile, "--username", "rnd", "--password-file", rndPassword]
        let out = dir.file("rec")
        let clientID = "rec-tls-\(getpid())"
        let recorder = try ChildProcess(DaemonProcess.executable, ["record", "--broker", broker.url, "--topic", "site/#", "--out", out,
                                                                   "--fsync-ms", "50", "--client-id", clientID] + login,
                                        outputPath: dir.file("record.out"), errorPath: dir.file("record.err"))
        #expect(eventually(timeout: 15) { broker.log.contains("as \(clientID)") }, "the recorder never logged in; broker log: \(broker.log.suffix(1500))")
        Thread.sleep(forTimeInterval: 0.5)

        // The plant's side: its own user, the same CA.
        let plant = BrokerConnection(broker: try BrokerURL(parsing: broker.url), tls: TLSFiles(caFile: certs.caFile), username: "plant", password: "plant-secret-3")
        let publisher = try MQTTPublisher(connection: plant, clientID: "plant-\(getpid())", logger: quietLogger)
        try publisher.connect(timeout: .seconds(10))
        let payloads = (0..<50).map { k in Array("{\"v\":\(k)}".utf8) + [0, 0xFF, UInt8(k)] }
        for (k, p) in payloads.enumerated() { try publisher.publish(topic: "site/s\(k % 5)", payload: p, qos: 1, retain: false) }
        try publisher.flush(timeout: .seconds(10))
        let recording = Recording(directory: out)
        #expect(eventually(timeout: 15) { ((try? Array(recording.records())) ?? []).count >= payloads.count })
        recorder.signal(SIGTERM)
        #expect(recorder.wait() == 0)
        let recorded = try Array(recording.records())
        #expect(recorded.map(\.payload) == payloads)

        // Replay into the same broker as the R&D user, through TLS, prefixed.
        let (subscriber, collector) = try MessageCollector.subscribe(broker, "again/#", id: "login-sub-\(getpid())", connection: plant)
        defer { subscriber.stop() }
        let replay = try Self.run(["replay", "--recording", out, "--publish", broker.url, "--speed", "max", "--topic-prefix", "again/"] + login,
                                  in: dir, name: "replay")
        #expect(replay.status == 0, "replay: \(replay.err)")
        #expect(eventually(timeout: 10) { collector.count >= payloads.count })
        #expect(collector.all.map(\.payload) == payloads)
        #expect(collector.all.map(\.topic) == recorded.map { "again/" + $0.topicString })
        publisher.disconnect()
        let recordErr = (try? String(contentsOfFile: dir.file("record.err"), encoding: .utf8)) ?? ""
        #expect(!recordErr.contains("rnd-secret-7") && !replay.err.contains("rnd-secret-7"), "a password was printed")
    }

    @Test("a broker whose certificate does not chain to --tls-ca-file: record and replay exit 1 within seconds, naming the verification failure")
    func wrongCAFailsFast() throws {
        let certs = try TestCertificates()
        let dir = TemporaryDirectory("login-ca")
        let broker = try MosquittoBroker(tls: certs.listener())
        try broker.start()
        defer { broker.stop() }
        let record = try Self.run(["record", "--broker", broker.url, "--tls-ca-file", certs.otherCAFile, "--topic", "site/#", "--out", dir.file("rec")],
                                  in: dir, name: "record")
        #expect(record.status == 1, "record: \(record.err)")
        #expect(record.err.contains("certificate verify failed"), "record: \(record.err.suffix(1500))")
        #expect(record.seconds < 20)
        let recording = try RecordingFixtures.write(RecordingFixtures.records(count: 3, gapMs: 10), to: dir.file("src"))
        let replay = try Self.run(["replay", "--recording", recording.directory, "--publish", broker.url, "--tls-ca-file", certs.otherCAFile],
                                  in: dir, name: "replay")
        #expect(replay.status == 1, "replay: \(replay.err)")
        #expect(replay.err.contains("TLS handshake with the broker failed") && replay.err.contains("certificate verify failed"), "replay: \(replay.err.suffix(1500))")
        #expect(replay.seconds < 15)
    }

    @Test("a wrong password: record and replay exit 1 within seconds with the broker's refusal; the password is not printed")
    func wrongPasswordFailsFast() throws {
        let certs = try TestCertificates()
        let dir = TemporaryDirectory("login-pw")
        let passwords = try MosquittoBroker.passwordFile(users: ["rnd": "right-password"], in: dir)
        let broker = try MosquittoBroker(tls: certs.listener(), passwordFile: passwords)
        try broker.start()
        defer { broker.stop() }
        let wrong = try Self.secret(dir, "wrong", "wrong-password-5")
        let login = ["--tls-ca-file", certs.caFile, "--username", "rnd", "--password-file", wrong]
        let record = try Self.run(["record", "--broker", broker.url, "--topic", "site/#", "--out", dir.file("rec")] + login, in: dir, name: "record")
        #expect(record.status == 1, "record: \(record.err)")
        #expect(record.err.contains("not authorised") && record.err.contains("3 times in a row"), "record: \(record.err.suffix(1500))")
        #expect(record.seconds < 20)
        let recording = try RecordingFixtures.write(RecordingFixtures.records(count: 3, gapMs: 10), to: dir.file("src"))
        let replay = try Self.run(["replay", "--recording", recording.directory, "--publish", broker.url] + login, in: dir, name: "replay")
        #expect(replay.status == 1, "replay: \(replay.err)")
        #expect(replay.err.contains("not authorised"), "replay: \(replay.err.suffix(1500))")
        #expect(replay.seconds < 15)
        #expect(!record.err.contains("wrong-password-5") && !replay.err.contains("wrong-password-5"))
    }

    @Test("options the daemon's config would refuse are usage errors (exit 2) before any connection")
    func refusedOptions() throws {
        let certs = try TestCertificates()
        let dir = TemporaryDirectory("login-usage")
        let open = try Self.secret(dir, "open", "pw", mode: 0o644)
        let good = try Self.secret(dir, "good", "pw")
        let openKey = dir.file("client.key")
        try FileManager.default.copyItem(atPath: certs.clientKey, toPath: openKey)
        chmod(openKey, 0o644)
        let url = "mqtts://127.0.0.1:\(FreePort.next())"
        let cases: [([String], String)] = [
            (["--broker", url, "--username", "u", "--password-file", open], "is accessible by group or others"),
            (["--broker", url, "--password-file", good], "--password-file needs --username"),
            (["--broker", "mqtt://127.0.0.1:1883", "--tls-ca-file", certs.caFile], "use mqtts://HOST:PORT"),
            (["--broker", url, "--tls-cert-file", certs.clientCertificate], "needs both --tls-cert-file and --tls-key-file"),
            (["--broker", url, "--tls-cert-file", certs.clientCertificate, "--tls-key-file", openKey], "--tls-key-file: \(openKey) is accessible"),
            (["--broker", url, "--tls-ca-file", dir.file("missing.crt")], "--tls-ca-file: cannot read"),
        ]
        for (i, (options, message)) in cases.enumerated() {
            let r = try Self.run(["record", "--topic", "x/#", "--out", dir.file("rec\(i)")] + options, in: dir, name: "usage\(i)", timeout: 10)
            #expect(r.status == 2, "\(options): \(r.err)")
            #expect(r.err.contains(message), "\(options): \(r.err)")
        }
        // The same rules for replay --publish (one shared check).
        let r = try Self.run(["replay", "--recording", dir.path, "--publish", url, "--username", "u", "--password-file", open], in: dir, name: "usage-replay", timeout: 10)
        #expect(r.status == 2 && r.err.contains("is accessible by group or others"), "\(r.err)")
    }

    @Test("a client certificate given with --tls-cert-file and --tls-key-file logs in to a broker that requires one")
    func clientCertificate() throws {
        let certs = try TestCertificates()
        let dir = TemporaryDirectory("login-cert")
        let broker = try MosquittoBroker(tls: certs.listener(requireClientCertificate: true))
        try broker.start()
        defer { broker.stop() }
        let recording = try RecordingFixtures.write(RecordingFixtures.records(count: 5, gapMs: 10), to: dir.file("src"))
        let tls = TLSFiles(caFile: certs.caFile, certificateFile: certs.clientCertificate, keyFile: certs.clientKey)
        let (subscriber, collector) = try MessageCollector.subscribe(broker, "#", id: "cert-sub-\(getpid())",
                                                                     connection: BrokerConnection(broker: try BrokerURL(parsing: broker.url), tls: tls))
        defer { subscriber.stop() }
        let r = try Self.run(["replay", "--recording", recording.directory, "--publish", broker.url, "--speed", "max", "--tls-ca-file", certs.caFile,
                              "--tls-cert-file", certs.clientCertificate, "--tls-key-file", certs.clientKey], in: dir, name: "replay")
        #expect(r.status == 0, "\(r.err)")
        #expect(eventually(timeout: 10) { collector.count >= 5 })
    }
}

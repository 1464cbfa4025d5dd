import Foundation

/// A private mosquitto on a free loopback port with its own config and persistence
/// directory, so tests never touch a system broker or anything off this machine.
///
/// Optionally the listener is TLS (`tls`: the server certificate and key it presents, and the
/// CA a client certificate must chain to when `requireClientCertificate`), and clients must
/// log in (`passwordFile`, as made by `MosquittoBroker.passwordFile(users:in:)`).
package final class MosquittoBroker: @unchecked Sendable {
    /// The server side of a TLS listener.
    package struct TLSListener: Sendable {
        package var certificateFile: String
        package var keyFile: String
        package var caFile: String
        package var requireClientCertificate: Bool

        package init(certificateFile: String, keyFile: String, caFile: String, requireClientCertificate: Bool = false) {
            self.certificateFile = certificateFile
            self.keyFile = keyFile
            self.caFile = caFile
            self.requireClientCertificate = requireClientCertificate
        }
    }

    package let port: Int
    package let directory: TemporaryDirectory
    package let tls: TLSListener?
    private var process: ChildProcess?

    package var url: String { "\(tls == nil ? "mqtt" : "mqtts")://127.0.0.1:\(port)" }

    package init(port: Int = FreePort.next(), tls: TLSListener? = nil, passwordFile: String? = nil) throws {
        self.port = port
        self.tls = tls
        directory = TemporaryDirectory("broker")
        // Started as root, mosquitto drops to the `mosquitto` user and could then not write its
        // persistence and log files in our scratch directory; `user` keeps the caller's user.
        let user = getuid() == 0 ? "user root\n" : ""
        let config = """
        \(user)listener \(port) 127.0.0.1
        \(passwordFile.map { "allow_anonymous false\npassword_file \($0)" } ?? "allow_anonymous true")
        \(tls.map { "cafile \($0.caFile)\ncertfile \($0.certificateFile)\nkeyfile \($0.keyFile)\nrequire_certificate \($0.requireClientCertificate)" } ?? "")
        persistence true
        persistence_location \(directory.path)/
        autosave_interval 1
        max_queued_messages 1000000
        max_inflight_messages 100
        log_dest file \(directory.path)/mosquitto.log
        log_type error
        log_type warning
        log_type notice
        log_type information
        """
        try config.write(toFile: directory.file("mosquitto.conf"), atomically: true, encoding: .utf8)
    }

    package static var executable: String {
        for candidate in ["/usr/sbin/mosquitto", "/usr/bin/mosquitto", "/usr/local/sbin/mosquitto"] where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        return "mosquitto"
    }

    /// Starts the broker and waits until it accepts connections.
    package func start() throws {
        process = try ChildProcess(MosquittoBroker.executable, ["-c", directory.file("mosquitto.conf")])
        guard eventually(timeout: 10, { FreePort.isListening(port) }) else {
            throw TestFailure("mosquitto did not start on port \(port); log: \(log)")
        }
    }

    /// SIGTERM (mosquitto saves its persistence file) and wait.
    package func stop() {
        guard let p = process else { return }
        p.signal(SIGTERM)
        p.wait()
        process = nil
    }

    /// SIGSTOP: the broker keeps its sockets open but answers nothing (a hung broker).
    package func pause() { process?.signal(SIGSTOP) }

    /// SIGCONT after `pause()`.
    package func resume() { process?.signal(SIGCONT) }

    /// A mosquitto password file with these users, made by `mosquitto_passwd -b` (the test's
    /// passwords travel on a command line here; the daemon's never do).
    package static func passwordFile(users: [String: String], in directory: TemporaryDirectory) throws -> String {
        let path = directory.file("mosquitto.passwd")
        _ = FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
        for (user, password) in users.sorted(by: { $0.key < $1.key }) {
            try runTool("/usr/bin/mosquitto_passwd", ["-b", path, user, password])
        }
        return path
    }

    package var log: String { (try? String(contentsOfFile: directory.file("mosquitto.log"), encoding: .utf8)) ?? "" }

    deinit {
        resume()
        stop()
    }
}

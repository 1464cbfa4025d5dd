import Foundation

/// A private mosquitto on a free loopback port with its own config and persistence
/// directory, so tests never touch a system broker or anything off this machine.
package final class MosquittoBroker: @unchecked Sendable {
    package let port: Int
    package let directory: TemporaryDirectory
    private var process: ChildProcess?

    package var url: String { "mqtt://127.0.0.1:\(port)" }

    package init(port: Int = FreePort.next()) throws {
        self.port = port
        directory = TemporaryDirectory("broker")
        // Started as root, mosquitto drops to the `mosquitto` user and could then not write its
        // persistence and log files in our scratch directory; `user` keeps the caller's user.
        let user = getuid() == 0 ? "user root\n" : ""
        let config = """
        \(user)listener \(port) 127.0.0.1
        allow_anonymous true
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

    package var log: String { (try? String(contentsOfFile: directory.file("mosquitto.log"), encoding: .utf8)) ?? "" }

    deinit {
        resume()
        stop()
    }
}

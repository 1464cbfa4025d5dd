import Foundation

/// The real `tinsense` executable run as a child process, the way an operator runs it.
package final class DaemonProcess: @unchecked Sendable {
    package let configPath: String
    package let dataDirectory: String
    package let broker: String
    package let logPath: String
    private var process: ChildProcess?
    private var runs = 0
    /// Extra variables for the daemon's environment (`NOTIFY_SOCKET`, `WATCHDOG_USEC`,
    /// `CREDENTIALS_DIRECTORY`, `JOURNAL_STREAM`), from the next `start` on.
    package var environment: [String: String] = [:]
    /// The umask the daemon starts with (e.g. "000"); nil: the test runner's.
    package var umask: String?
    /// Arguments after `run --config … --broker … --data …` (e.g. `--log-level debug`).
    package var extraArguments: [String] = []

    package init(configPath: String, dataDirectory: String, broker: String, logPath: String) {
        self.configPath = configPath
        self.dataDirectory = dataDirectory
        self.broker = broker
        self.logPath = logPath
    }

    /// The built executable: next to the test bundle, or $TINSENSE_BIN.
    package static var executable: String {
        if let path = ProcessInfo.processInfo.environment["TINSENSE_BIN"] { return path }
        let bundleDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for dir in [bundleDirectory, bundleDirectory.deletingLastPathComponent()] {
            let candidate = dir.appendingPathComponent("tinsense").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return bundleDirectory.appendingPathComponent("tinsense").path
    }

    package func start() throws {
        runs += 1
        let command = [DaemonProcess.executable, "run", "--config", configPath, "--broker", broker, "--data", dataDirectory] + extraArguments
        if environment.isEmpty && umask == nil {
            process = try ChildProcess(command[0], Array(command.dropFirst()), outputPath: currentLogPath)
        } else {
            // sh sets the umask and execs env, which execs the daemon: the pid stays the daemon's.
            let variables = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            process = try ChildProcess(
                "/bin/sh", ["-c", "umask \(umask ?? "$(umask)") && exec /usr/bin/env \"$@\"", "sh"] + variables + command,
                outputPath: currentLogPath
            )
        }
    }

    /// The file the current (or next, before `start`) run's stdout and stderr go to.
    package var currentLogPath: String { logPath + ".\(max(runs, 1))" }

    /// The file the next `start` will log to (to set `JOURNAL_STREAM` to its inode beforehand).
    package var nextLogPath: String { logPath + ".\(runs + 1)" }

    /// The log of the current run.
    package var log: String { (try? String(contentsOfFile: logPath + ".\(runs)", encoding: .utf8)) ?? "" }

    /// The `messages=` figure of the newest stats line of the current run.
    package var messagesSeen: Int { statsFigure("messages") }

    /// The `stored=` figure (readings stored this run) of the newest stats line.
    package var storedCount: Int { statsFigure("stored") }

    /// The figure `key=N` of the newest stats line of the current run (0 before the first).
    package func statsFigure(_ key: String) -> Int {
        var last = 0
        for line in log.split(separator: "\n") where line.hasSuffix(" stats") {
            if let r = line.range(of: " \(key)=") {
                let digits = line[r.upperBound...].prefix(while: \.isNumber)
                last = Int(digits) ?? last
            }
        }
        return last
    }

    /// Waits until the messages counter stops moving for `quiet` seconds (and is ≥ minimum).
    package func waitUntilQuiet(minimum: Int, quiet: TimeInterval = 3, timeout: TimeInterval = 120) -> Bool {
        let deadline = Date(timeIntervalSinceNow: timeout)
        var lastCount = -1
        var lastChange = Date()
        while Date() < deadline {
            let c = messagesSeen
            if c != lastCount {
                lastCount = c
                lastChange = Date()
            } else if c >= minimum, Date().timeIntervalSince(lastChange) >= quiet {
                return true
            }
            Thread.sleep(forTimeInterval: 0.2)
        }
        return false
    }

    /// SIGTERM and wait; returns the exit status.
    @discardableResult
    package func stop() -> Int32 {
        guard let p = process else { return -1 }
        p.signal(SIGTERM)
        let status = p.wait()
        process = nil
        return status
    }

    /// SIGKILL: the crash the durability contract is about.
    package func kill9() {
        guard let p = process else { return }
        p.signal(SIGKILL)
        p.wait()
        process = nil
    }

    package var isRunning: Bool { process?.isRunning ?? false }

    /// The running daemon's process id (nil when stopped).
    package var pid: pid_t? { process?.pid }

    /// Sends `signal` without waiting (SIGSTOP, SIGTERM to time the stop, …).
    package func signal(_ signal: Int32) { process?.signal(signal) }

    /// Waits up to `timeout` for the daemon to exit; its exit status, or nil if it still runs.
    package func waitForExit(timeout: TimeInterval) -> Int32? {
        guard let p = process else { return nil }
        guard eventually(timeout: timeout, { !p.isRunning }) else { return nil }
        process = nil
        return p.wait()
    }

    /// The running daemon as /proc shows it: descriptors, CPU time, resident memory.
    package var proc: ProcessStats? { pid.map(ProcessStats.init(pid:)) }

    deinit { if process != nil { kill9() } }
}

/// Runs a `tinsense` subcommand to completion; returns (exit status, stdout, stderr).
package func runTinsense(_ arguments: [String]) throws -> (status: Int32, out: String, err: String) {
    let dir = TemporaryDirectory("cli")
    let p = try ChildProcess(DaemonProcess.executable, arguments, outputPath: dir.file("out"), errorPath: dir.file("err"))
    let status = p.wait()
    let out = (try? String(contentsOfFile: dir.file("out"), encoding: .utf8)) ?? ""
    let err = (try? String(contentsOfFile: dir.file("err"), encoding: .utf8)) ?? ""
    return (status, out, err)
}

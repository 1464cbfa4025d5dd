import Foundation

/// The real `tinsense` executable run as a child process, the way an operator runs it.
public final class DaemonProcess: @unchecked Sendable {
    public let configPath: String
    public let dataDirectory: String
    public let broker: String
    public let logPath: String
    private var process: ChildProcess?
    private var runs = 0

    public init(configPath: String, dataDirectory: String, broker: String, logPath: String) {
        self.configPath = configPath
        self.dataDirectory = dataDirectory
        self.broker = broker
        self.logPath = logPath
    }

    /// The built executable: next to the test bundle, or $TINSENSE_BIN.
    public static var executable: String {
        if let path = ProcessInfo.processInfo.environment["TINSENSE_BIN"] { return path }
        let bundleDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for dir in [bundleDirectory, bundleDirectory.deletingLastPathComponent()] {
            let candidate = dir.appendingPathComponent("tinsense").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return bundleDirectory.appendingPathComponent("tinsense").path
    }

    public func start() throws {
        runs += 1
        process = try ChildProcess(
            DaemonProcess.executable, ["run", "--config", configPath, "--broker", broker, "--data", dataDirectory],
            outputPath: logPath + ".\(runs)"
        )
    }

    /// The log of the current run.
    public var log: String { (try? String(contentsOfFile: logPath + ".\(runs)", encoding: .utf8)) ?? "" }

    /// The `messages=` figure of the newest stats line of the current run.
    public var messagesSeen: Int {
        var last = 0
        for line in log.split(separator: "\n") where line.hasSuffix(" stats") {
            if let r = line.range(of: "messages=") {
                let digits = line[r.upperBound...].prefix(while: \.isNumber)
                last = Int(digits) ?? last
            }
        }
        return last
    }

    /// Waits until the messages counter stops moving for `quiet` seconds (and is ≥ minimum).
    public func waitUntilQuiet(minimum: Int, quiet: TimeInterval = 3, timeout: TimeInterval = 120) -> Bool {
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
    public func stop() -> Int32 {
        guard let p = process else { return -1 }
        p.signal(SIGTERM)
        let status = p.wait()
        process = nil
        return status
    }

    /// SIGKILL: the crash the durability contract is about.
    public func kill9() {
        guard let p = process else { return }
        p.signal(SIGKILL)
        p.wait()
        process = nil
    }

    public var isRunning: Bool { process?.isRunning ?? false }

    deinit { if process != nil { kill9() } }
}

/// Runs a `tinsense` subcommand to completion; returns (exit status, stdout, stderr).
public func runTinsense(_ arguments: [String]) throws -> (status: Int32, out: String, err: String) {
    let dir = TemporaryDirectory("cli")
    let p = try ChildProcess(DaemonProcess.executable, arguments, outputPath: dir.file("out"), errorPath: dir.file("err"))
    let status = p.wait()
    let out = (try? String(contentsOfFile: dir.file("out"), encoding: .utf8)) ?? ""
    let err = (try? String(contentsOfFile: dir.file("err"), encoding: .utf8)) ?? ""
    return (status, out, err)
}

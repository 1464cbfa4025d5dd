import Foundation
import Testing
import TinsenseTestSupport

/// The unit file is checked by systemd's own tools (systemd need not be PID 1 for these).
@Suite("systemd unit")
struct SystemdUnitTests {
    static let analyze = "/usr/bin/systemd-analyze"

    static var unitText: String {
        get throws {
            let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            return try String(contentsOf: root.appendingPathComponent("systemd/tinsense.service"), encoding: .utf8)
        }
    }

    /// `text` with ExecStart pointing at the binary just built (so verify can resolve it), in a
    /// scratch directory.
    func unitUnderTest(_ text: String) throws -> (TemporaryDirectory, String) {
        let dir = TemporaryDirectory("unit")
        let path = dir.file("tinsense.service")
        try text.replacingOccurrences(of: "/usr/local/bin/tinsense", with: DaemonProcess.executable)
            .write(toFile: path, atomically: true, encoding: .utf8)
        return (dir, path)
    }

    /// Runs systemd-analyze; (status, stdout, stderr) kept apart, since misspelled keys only
    /// warn on stderr with exit status 0.
    func run(_ args: [String]) throws -> (status: Int32, out: String, err: String) {
        let dir = TemporaryDirectory("analyze")
        let status = try ChildProcess(SystemdUnitTests.analyze, args, outputPath: dir.file("out"), errorPath: dir.file("err")).wait()
        let out = (try? String(contentsOfFile: dir.file("out"), encoding: .utf8)) ?? ""
        let err = (try? String(contentsOfFile: dir.file("err"), encoding: .utf8)) ?? ""
        return (status, out, err)
    }

    @Test("systemd-analyze verify prints nothing at all for the unit", .enabled(if: FileManager.default.isExecutableFile(atPath: analyze)))
    func verify() throws {
        let (dir, path) = try unitUnderTest(try SystemdUnitTests.unitText)
        let result = try run(["verify", path])
        #expect(result.status == 0)
        #expect(result.err.isEmpty, "verify complained: \(result.err)")
        #expect(result.out.isEmpty, "verify said: \(result.out)")
        _ = dir
    }

    @Test("a misspelled key makes verify print on stderr (so the check above can fail)", .enabled(if: FileManager.default.isExecutableFile(atPath: analyze)))
    func verifyCatchesTypos() throws {
        let text = try SystemdUnitTests.unitText.replacingOccurrences(of: "WatchdogSec=", with: "WatchdogSecs=")
        let (dir, path) = try unitUnderTest(text)
        let result = try run(["verify", path])
        #expect(result.err.contains("WatchdogSecs"), "verify stayed silent: \(result.out) \(result.err)")
        _ = dir
    }

    @Test("the unit is a notify service with a watchdog, reload by SIGHUP and restart on failure")
    func notifyKeys() throws {
        let lines = Set(try SystemdUnitTests.unitText.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) })
        for key in ["Type=notify", "NotifyAccess=main", "WatchdogSec=30s", "ExecReload=/bin/kill -HUP $MAINPID", "Restart=on-failure"] {
            #expect(lines.contains(key), "missing \(key)")
        }
    }

    @Test("the unit's exposure level is at most 2.0", .enabled(if: FileManager.default.isExecutableFile(atPath: analyze)))
    func security() throws {
        let (dir, path) = try unitUnderTest(try SystemdUnitTests.unitText)
        let result = try run(["security", "--offline=yes", path])
        let text = result.out + result.err
        // "→ Overall exposure level for tinsense.service: 1.1 OK 🙂"
        let line = try #require(text.split(separator: "\n").first { $0.contains("Overall exposure level") }, "\(text)")
        let figure = line.split(separator: ":").last?.split(separator: " ").first.flatMap { Double($0) }
        let exposure = try #require(figure, "no number in: \(line)")
        #expect(exposure <= 2.0, "\(line)")
        _ = dir
    }
}

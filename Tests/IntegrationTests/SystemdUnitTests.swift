import Foundation
import Testing
import TinsenseTestSupport

/// The unit file is checked by systemd's own tools (systemd need not be PID 1 for these).
@Suite("systemd unit")
struct SystemdUnitTests {
    static let analyze = "/usr/bin/systemd-analyze"

    /// The unit with ExecStart pointing at the binary just built, in a scratch directory.
    func unitUnderTest() throws -> (TemporaryDirectory, String) {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent("systemd/tinsense.service"), encoding: .utf8)
        let dir = TemporaryDirectory("unit")
        let path = dir.file("tinsense.service")
        try text.replacingOccurrences(of: "/usr/local/bin/tinsense", with: DaemonProcess.executable)
            .write(toFile: path, atomically: true, encoding: .utf8)
        return (dir, path)
    }

    func run(_ args: [String]) throws -> (Int32, String) {
        let dir = TemporaryDirectory("analyze")
        let status = try ChildProcess(SystemdUnitTests.analyze, args, outputPath: dir.file("out")).wait()
        return (status, (try? String(contentsOfFile: dir.file("out"), encoding: .utf8)) ?? "")
    }

    @Test("systemd-analyze verify accepts the unit", .enabled(if: FileManager.default.isExecutableFile(atPath: analyze)))
    func verify() throws {
        let (dir, path) = try unitUnderTest()
        let (status, output) = try run(["verify", path])
        #expect(status == 0, "\(output)")
        _ = dir
    }

    @Test("the unit's exposure level is at most 2.0", .enabled(if: FileManager.default.isExecutableFile(atPath: analyze)))
    func security() throws {
        let (dir, path) = try unitUnderTest()
        let (status, output) = try run(["security", "--offline=yes", "--threshold=20", path])
        #expect(status == 0, "\(output)")
        #expect(output.contains("Overall exposure level"))
        _ = dir
    }
}

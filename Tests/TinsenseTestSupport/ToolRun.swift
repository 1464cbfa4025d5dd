import Foundation

/// Runs a command-line tool (openssl, mosquitto_passwd) to completion and fails the test with
/// its output when it exits non-zero.
package func runTool(_ path: String, _ arguments: [String]) throws {
    let dir = TemporaryDirectory("tool")
    let p = try ChildProcess(path, arguments, outputPath: dir.file("out"))
    let status = p.wait()
    guard status == 0 else {
        let out = (try? String(contentsOfFile: dir.file("out"), encoding: .utf8)) ?? ""
        throw TestFailure("\(path) \(arguments.joined(separator: " ")) exited \(status): \(out)")
    }
}

import Foundation

/// A scratch directory under /tmp, removed when the test is done with it.
final class TestDirectory: @unchecked Sendable {
    let path: String

    init(_ name: String) throws {
        path = NSTemporaryDirectory() + "tinsense-\(name)-\(getpid())-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { path + "/" + name }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// Polls `condition` until it holds or `timeout` passes.
func eventually(timeout: TimeInterval, every: TimeInterval = 0.1, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date(timeIntervalSinceNow: timeout)
    while Date() < deadline {
        if try condition() { return true }
        Thread.sleep(forTimeInterval: every)
    }
    return try condition()
}

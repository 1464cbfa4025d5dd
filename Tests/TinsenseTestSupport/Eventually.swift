import Foundation

/// Polls `condition` until it holds or `timeout` passes; for waiting on another process.
package func eventually(timeout: TimeInterval, every: TimeInterval = 0.1, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date(timeIntervalSinceNow: timeout)
    while Date() < deadline {
        if try condition() { return true }
        Thread.sleep(forTimeInterval: every)
    }
    return try condition()
}

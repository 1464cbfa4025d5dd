import Logging
import TinsenseSystem

/// Retries a write until it succeeds, with capped backoff and rate-limited logging: the
/// daemon's answer to a full disk is to wait (holding messages at the broker), never to
/// drop or crash.
enum DiskRetry {
    @discardableResult
    static func untilWritten<T>(logger: Logger, what: String, _ body: () throws -> T) -> T {
        var backoff = Backoff()
        while true {
            do {
                let result = try body()
                if backoff.attempts > 0 { logger.notice("\(what) writable again", metadata: ["attempts": "\(backoff.attempts)"]) }
                return result
            } catch {
                if backoff.isReportDue {
                    logger.error("cannot write the \(what); waiting for it to work again", metadata: ["error": "\(error)", "attempt": "\(backoff.attempts + 1)"])
                }
                backoff.wait()
            }
        }
    }
}

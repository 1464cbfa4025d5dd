#if canImport(Glibc)
import Glibc
#endif
import Logging

/// Retries a write until it succeeds, with capped backoff and rate-limited logging: the
/// daemon's answer to a full disk is to wait (holding messages at the broker), never to
/// drop or crash.
enum DiskRetry {
    @discardableResult
    static func untilWritten<T>(logger: Logger, what: String, _ body: () throws -> T) -> T {
        var delay: UInt32 = 50_000
        var attempt = 0
        while true {
            do {
                let result = try body()
                if attempt > 0 { logger.notice("\(what) writable again", metadata: ["attempts": "\(attempt)"]) }
                return result
            } catch {
                if attempt % 20 == 0 {
                    logger.error("cannot write the \(what); waiting for it to work again", metadata: ["error": "\(error)", "attempt": "\(attempt + 1)"])
                }
                attempt += 1
                usleep(delay)
                delay = min(delay * 2, 2_000_000)
            }
        }
    }
}

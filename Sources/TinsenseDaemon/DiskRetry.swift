import Logging
import TinsenseSystem

/// Runs a storage or quarantine write, retrying only what can pass.
///
/// A transient error (disk full, EIO, a head that cannot be sealed yet) is waited out with
/// capped backoff and rate-limited logging: the pipeline thread stops, the queue fills, the
/// network thread stops taking messages and the broker holds the backlog — nothing is dropped
/// or crashed. A permanent error (the reading's own content, a damaged chunk, a file the
/// daemon may not write) is returned at once, so the caller quarantines or counts it and the
/// stream goes on: retrying it would stop every sensor for good (issue 9, finding 1).
enum DiskRetry {
    static func untilWrittenOrRefused<T>(logger: Logger, what: String, _ body: () throws -> T) -> Result<T, any Error> {
        var backoff = Backoff()
        while true {
            do {
                let result = try body()
                if backoff.attempts > 0 { logger.notice("\(what) writable again; ingestion resumes", metadata: ["attempts": "\(backoff.attempts)"]) }
                return .success(result)
            } catch {
                guard ErrorClass.of(error) == .transient else { return .failure(error) }
                if backoff.isReportDue {
                    logger.error("cannot write the \(what); ingestion paused (the broker holds the backlog), waiting for it to work again",
                                 metadata: ["error": "\(error)", "attempt": "\(backoff.attempts + 1)"])
                }
                backoff.wait()
            }
        }
    }
}

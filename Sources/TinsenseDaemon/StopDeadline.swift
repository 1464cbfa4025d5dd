#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging

/// The bound on the stop path: systemd SIGKILLs at the unit's `TimeoutStopSec`, and a
/// SIGKILL says nothing in the journal. So once stopping has begun, this timer ends the
/// process itself at `daemon.stop_timeout_s` (below `TimeoutStopSec`) with exit 1 and a line
/// saying why — a pipeline waiting on a full disk, or a network thread blocked in its sink,
/// cannot hold the stop any longer.
///
/// Exiting without sealing loses nothing: every acknowledged message is in the WAL (the
/// kernel has the bytes; only power loss needs the fsync), and the next start replays
/// everything after the last checkpoint — the same recovery as after `kill -9`.
final class StopDeadline: @unchecked Sendable {
    // @unchecked: `finished` is guarded by `condition`.
    private let condition = NSCondition()
    private var finished = false

    /// Starts the timer; call `cancel()` when the stop path has finished.
    init(seconds: Int, logger: Logger) {
        let deadline = Date(timeIntervalSinceNow: TimeInterval(seconds))
        let thread = Thread { [self] in
            condition.lock()
            while !finished {
                if !condition.wait(until: deadline) { break }
            }
            let done = finished
            condition.unlock()
            guard !done else { return }
            logger.critical("stop did not finish within daemon.stop_timeout_s; exiting without sealing (the WAL holds every acknowledged message; the next start replays it)", metadata: [
                "stop_timeout_s": "\(seconds)",
            ])
            fflush(nil)  // every stdio stream: the log line must reach the journal
            _exit(1)
        }
        thread.name = "tinsense-stop-deadline"
        thread.start()
    }

    /// The stop path has finished in time.
    func cancel() {
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }
}

#if canImport(Glibc)
import Glibc
#endif
import Logging

/// Runs a paced replay (`--speed N`) on a POSIX thread of its own at `SCHED_FIFO` priority 10
/// where the process may (root, `CAP_SYS_NICE` or an `RLIMIT_RTPRIO` ≥ 10; otherwise it runs at
/// normal priority and says so once).
///
/// Why: at speed 1 the timing error is the wake-up latency of the pacer and of libmosquitto's
/// network thread (it writes what `mosquitto_publish` queues). Under load a normal-priority
/// thread waits for a free core for milliseconds (p99 18–21 ms measured at load 8–12 on 2
/// cores); a real-time one preempts the normal-priority work. The publisher is created on this
/// thread, so the network thread that `mosquitto_loop_start` creates inherits the policy
/// (glibc's default `PTHREAD_INHERIT_SCHED`). What bounds the CPU such a thread can take: the
/// pacer sleeps to 0.5 ms before each deadline and spins only that long (`ReplayPacer`), the
/// network thread blocks in `poll`, and the kernel's real-time throttling
/// (`sched_rt_runtime_us`, 95 % by default) leaves the rest of the machine a share regardless.
///
/// A plain pthread rather than Foundation's `Thread`: the replay closure is not `Sendable`
/// (it drives the caller's progress callback), `Thread` wants a `@Sendable` block, and the
/// caller waits for the result anyway, which `pthread_join` says directly.
package enum PacedThread {
    /// The priority asked for: low among real-time ones (1–99), above every normal thread.
    package static let priority: Int32 = 10

    /// Runs `body` on the real-time thread and returns its result (or rethrows its error).
    package static func run<T>(logger: Logger, _ body: () throws -> T) throws -> T {
        try withoutActuallyEscaping(body) { escapable in
            var result: Result<T, any Error>?
            // `result` and `escapable` are used by the new thread only while this one waits in
            // pthread_join, so they are never touched by two threads at once.
            let job = Job {
                if let refused = PacedThread.raiseCallingThread() {
                    logger.notice("replay: real-time scheduling not permitted; pacing at normal priority, so gaps may run late under load (run as root or grant CAP_SYS_NICE)", metadata: [
                        "error": "\(String(cString: strerror(refused)))",
                    ])
                } else {
                    logger.debug("replay: pacing thread at SCHED_FIFO", metadata: ["priority": "\(PacedThread.priority)"])
                }
                result = Result { try escapable() }
            }
            let context = Unmanaged.passRetained(job).toOpaque()
            var thread = pthread_t()
            let rc = pthread_create(&thread, nil, { raw in
                Unmanaged<Job>.fromOpaque(raw!).takeRetainedValue().work()
                return nil
            }, context)
            guard rc == 0 else {
                // No thread (out of resources): replay on the caller's thread, at its priority.
                Unmanaged<Job>.fromOpaque(context).release()
                logger.notice("replay: cannot start the pacing thread; pacing on the caller's thread", metadata: ["errno": "\(rc)"])
                return try escapable()
            }
            pthread_join(thread, nil)
            return try result!.get()
        }
    }

    /// Asks for `SCHED_FIFO` on the calling thread; the error number when refused.
    package static func raiseCallingThread() -> Int32? {
        var param = sched_param()
        param.sched_priority = priority
        let rc = pthread_setschedparam(pthread_self(), SCHED_FIFO, &param)
        return rc == 0 ? nil : rc
    }

    private final class Job {
        let work: () -> Void
        init(_ work: @escaping () -> Void) { self.work = work }
    }
}

#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging
import Testing
import TinsenseReplay
import TinsenseTestSupport

/// The pacing of `replay --speed N` (docs/REPLAY.md, "Speed 1"): a thread of its own at
/// SCHED_FIFO where permitted, a sleep to 0.5 ms before each deadline, then a spin.
@Suite("replay pacing thread")
struct PacedThreadTests {
    struct Boom: Error, Equatable {}

    @Test("the body runs on another thread, its result comes back, and as root that thread is SCHED_FIFO at the documented priority")
    func runsOnARealTimeThread() throws {
        let caller = pthread_self()
        let (sameThread, policy, priority) = try PacedThread.run(logger: quietLogger) { () -> (Bool, Int32, Int32) in
            var policy: Int32 = 0
            var param = sched_param()
            pthread_getschedparam(pthread_self(), &policy, &param)
            return (pthread_equal(pthread_self(), caller) != 0, policy, param.sched_priority)
        }
        #expect(!sameThread)
        if getuid() == 0 {
            #expect(policy == SCHED_FIFO)
            #expect(priority == PacedThread.priority)
        }
        // The caller's own scheduling is untouched.
        var callerPolicy: Int32 = -1
        var param = sched_param()
        pthread_getschedparam(pthread_self(), &callerPolicy, &param)
        #expect(callerPolicy != SCHED_FIFO)
    }

    @Test("an error thrown on the pacing thread is rethrown to the caller")
    func errorsComeBack() {
        #expect(throws: Boom.self) { try PacedThread.run(logger: quietLogger) { () throws -> Int in throw Boom() } }
    }

    @Test("the pacer never returns before a deadline, through the sleep and through the spin, and a stop request ends the wait")
    func neverEarly() {
        for ahead in [Int64(0), 200_000, 700_000, 3_000_000] { // in the spin, at its edge, sleep then spin
            let deadline = ReplayPacer.monotonicNs() + ahead
            #expect(ReplayPacer.sleep(until: deadline, shouldStop: { false }))
            #expect(ReplayPacer.monotonicNs() >= deadline)
        }
        let far = ReplayPacer.monotonicNs() + 60_000_000_000
        #expect(ReplayPacer.sleep(until: far, shouldStop: { true }) == false)
    }
}

// A ThreadSanitizer probe for Synchronization.Mutex on Linux, built with tinsense's
// `Guarded` (Sources/TinsenseSystem/Guarded.swift) by `scripts/sanitizers.sh thread`.
//
//   mutex-probe mutex     two threads take one Mutex 200,000 times each
//   mutex-probe guarded   the same with `Guarded`
//
// Both change the value only inside `withLock`: neither has a data race. On Swift 6.3.1 for
// Linux TSan nevertheless reports "Swift access race" on the bare Mutex under contention: the
// contended path hands the lock over through the kernel (FUTEX_LOCK_PI), where TSan sees no
// acquire, so it misses the happens-before edge. `Guarded` locks a `pthread_mutex_t`, which
// TSan intercepts, and must get no report.
import Foundation
import Synchronization

final class Shared: @unchecked Sendable {
    let plain = Mutex([Int]())
    let guarded = Guarded([Int]())
}

let shared = Shared()
let useGuarded = CommandLine.arguments.dropFirst().first == "guarded"
let done = DispatchSemaphore(value: 0)
for t in 0..<2 {
    Thread {
        for i in 0..<200_000 {
            if useGuarded {
                shared.guarded.withLock { v in
                    v.append(i + t)
                    if v.count > 100 { v.removeAll(keepingCapacity: true) }
                }
            } else {
                shared.plain.withLock { v in
                    v.append(i + t)
                    if v.count > 100 { v.removeAll(keepingCapacity: true) }
                }
            }
        }
        done.signal()
    }.start()
}
done.wait()
done.wait()
print("mutex probe (\(useGuarded ? "guarded" : "mutex")) done")

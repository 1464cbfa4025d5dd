// A ThreadSanitizer probe for Synchronization.Mutex on Linux (scripts/sanitizers.sh thread runs it
// first). Two threads take one Mutex 200,000 times each and change its value only inside
// `withLock`: there is no data race here. On Swift 6.3.1 for Linux TSan nevertheless reports
// "Swift access race" under contention: the contended path hands the lock over through the
// kernel (FUTEX_LOCK_PI), where TSan sees no acquire, so it misses the happens-before edge.
// A report from this probe means every TSan report whose two accesses are both inside a
// `withLock` closure of one Mutex is that false positive, not a race in tinsense.
import Foundation
import Synchronization

final class Shared: Sendable { let values = Mutex([Int]()) }
let shared = Shared()
let done = DispatchSemaphore(value: 0)
for t in 0..<2 {
    Thread {
        for i in 0..<200_000 {
            shared.values.withLock { v in
                v.append(i + t)
                if v.count > 100 { v.removeAll(keepingCapacity: true) }
            }
        }
        done.signal()
    }.start()
}
done.wait()
done.wait()
print("mutex probe done:", shared.values.withLock { $0.count }, "values left")

#if canImport(Glibc)
import Glibc
#endif

/// A value behind a lock, as `Synchronization.Mutex`, on a `pthread_mutex_t`.
///
/// Why not `Mutex` itself: on Linux, Swift 6.3.1's `Mutex` hands a contended lock over inside
/// the kernel (`FUTEX_LOCK_PI`), where ThreadSanitizer observes no acquire, so every contended
/// `withLock` shows up as a "Swift access race" on the protected value and real races drown in
/// them (`scripts/sanitizers/mutex-probe` shows it on a program without a race). Annotating
/// `Mutex` (`__tsan_acquire` inside the closure) cannot help: the access to the value begins
/// in `Mutex.withLock` before the closure runs. ThreadSanitizer intercepts `pthread_mutex_lock`,
/// so with this lock a TSan run reports only real races. Uncontended, both are one atomic
/// compare-and-swap; contended, both sleep in a futex. Written here because no library offers
/// a TSan-visible Mutex with `withLock`'s shape, which every caller already used.
public struct Guarded<Value: ~Copyable>: ~Copyable, @unchecked Sendable {
    // @unchecked: the value is reached only through `withLock`, under the mutex.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let value: UnsafeMutablePointer<Value>

    public init(_ initialValue: consuming Value) {
        mutex = .allocate(capacity: 1)
        let rc = pthread_mutex_init(mutex, nil)
        precondition(rc == 0, "pthread_mutex_init: \(rc)")
        value = .allocate(capacity: 1)
        value.initialize(to: initialValue)
    }

    deinit {
        value.deinitialize(count: 1)
        value.deallocate()
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` with exclusive access to the value.
    public borrowing func withLock<Result, E: Error>(_ body: (inout Value) throws(E) -> Result) throws(E) -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value.pointee)
    }

    /// Runs `body` with exclusive access to the value if the lock is free now; returns nil
    /// without waiting when another thread holds it (`pthread_mutex_trylock`).
    public borrowing func withLockIfAvailable<Result, E: Error>(_ body: (inout Value) throws(E) -> Result) throws(E) -> Result? {
        guard pthread_mutex_trylock(mutex) == 0 else { return nil }
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value.pointee)
    }
}

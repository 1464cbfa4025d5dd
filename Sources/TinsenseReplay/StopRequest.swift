#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Synchronization

/// SIGINT/SIGTERM turned into a flag that long-running loops (record, replay) poll, so they
/// stop between two messages: flush, disconnect, close, and report what was done.
package final class StopRequest: @unchecked Sendable {
    // @unchecked: `sources` is set once in init and only kept alive; dispatch sources are
    // thread-safe, and the flag is an atomic.
    /// A class, so the signal handlers can hold it (an `Atomic` cannot be captured).
    private final class Flag: Sendable { let signal = Atomic<Int32>(0) }
    private let box = Flag()
    private let sources: [any DispatchSourceSignal]

    /// Traps SIGINT and SIGTERM.
    package convenience init() { self.init(trapping: [SIGINT, SIGTERM]) }

    /// Traps `signals` (their default action is disabled); `[]` gives a request that only
    /// `request()` sets (tests, benchmarks).
    package init(trapping signals: [Int32]) {
        var sources: [any DispatchSourceSignal] = []
        let box = self.box
        for s in signals {
            _ = Glibc.signal(s, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: s, queue: .global())
            source.setEventHandler { _ = box.signal.compareExchange(expected: 0, desired: s, ordering: .relaxed) }
            source.resume()
            sources.append(source)
        }
        self.sources = sources
    }

    /// Asks the loop to stop as if `signal` had arrived.
    package func request(_ signal: Int32 = SIGTERM) {
        _ = box.signal.compareExchange(expected: 0, desired: signal, ordering: .relaxed)
    }

    /// The signal that asked for the stop, or nil.
    package var signal: Int32? {
        let s = box.signal.load(ordering: .relaxed)
        return s == 0 ? nil : s
    }

    package var isRequested: Bool { signal != nil }
}

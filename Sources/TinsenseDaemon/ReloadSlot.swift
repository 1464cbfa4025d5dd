import Synchronization
import TinsenseConfig
import TinsenseSystem

/// The pending-config slot between the SIGHUP handler and the pipeline thread: a reload is
/// applied by the thread that owns the validator and the detectors, between two messages, so
/// no reading sees half a config and the hot path takes no lock (one relaxed load per loop).
final class ReloadSlot: Sendable {
    /// What the pipeline thread did with a reload.
    struct Applied: Sendable {
        var detectorsKept: Int
        var detectorsReset: Int
        var sensorsKnown: Int
    }

    private struct Pending: Sendable {
        var config: Config
        var done: CheckedContinuation<Applied?, Never>
    }

    private let flag = Atomic<Bool>(false)
    private let slot = Guarded<Pending?>(nil)

    /// Hands `config` to the pipeline thread and waits until it is in force; nil when the
    /// pipeline ended first (the daemon is stopping).
    func submit(_ config: Config) async -> Applied? {
        await withCheckedContinuation { (c: CheckedContinuation<Applied?, Never>) in
            let previous = slot.withLock { s -> Pending? in
                let old = s
                s = Pending(config: config, done: c)
                return old
            }
            previous?.done.resume(returning: nil)
            flag.store(true, ordering: .releasing)
        }
    }

    /// On the pipeline thread: applies a pending config with `apply`, if there is one.
    func applyPending(_ apply: (Config) -> Applied) {
        guard flag.load(ordering: .acquiring) else { return }
        flag.store(false, ordering: .relaxed)
        guard let pending = slot.withLock({ s -> Pending? in defer { s = nil }; return s }) else { return }
        pending.done.resume(returning: apply(pending.config))
    }

    /// At the end of the pipeline thread: a reload nobody will apply is answered nil.
    func abandon() {
        flag.store(false, ordering: .relaxed)
        slot.withLock { s -> Pending? in defer { s = nil }; return s }?.done.resume(returning: nil)
    }
}

import Foundation
import Logging
import Testing
import TinsenseCore
import TinsenseSystem
@testable import TinsenseAlerts

/// Records what the republisher sends; `flush` takes a while, as a broker's PUBACKs do.
private final class RecordingPublisher: AlertPublishing, @unchecked Sendable {
    // @unchecked: both fields are guarded by `state`.
    private let state = Guarded((topics: [String](), flushes: 0))
    let flushDelay: TimeInterval
    init(flushDelay: TimeInterval) { self.flushDelay = flushDelay }
    func publish(topic: String, payload: String, qos: Int, retain: Bool) throws { state.withLock { $0.topics.append(topic) } }
    func flush(timeout: Duration) throws {
        Thread.sleep(forTimeInterval: flushDelay)
        state.withLock { $0.flushes += 1 }
    }
    func disconnect() {}
    var topics: [String] { state.withLock { $0.topics } }
    var flushes: Int { state.withLock { $0.flushes } }
}

@Suite("alert republisher")
struct AlertRepublisherTests {
    func transition(_ id: String) -> AlertTransition {
        AlertTransition(
            kind: .firing, time: Timestamp(millisecondsSinceEpoch: 1_700_000_000_000), sensor: "flotation/cell3/level",
            rule: "anomaly", detector: "mad", severity: .warning, value: 1, score: 0.9, threshold: 0.5,
            alertID: id, startsAt: Timestamp(millisecondsSinceEpoch: 1_700_000_000_000), message: "m")
    }

    @Test("stop waits until what was queued is published and flushed, then the republisher is freed (no retain cycle through its thread)")
    func stopFlushesAndFrees() throws {
        let publisher = RecordingPublisher(flushDelay: 0.3)
        weak var weakRepublisher: AlertRepublisher?
        do {
            let republisher = AlertRepublisher(template: try AlertTopicTemplate("alerts/{sensor}"), logger: Logger(label: "test")) { publisher }
            weakRepublisher = republisher
            republisher.start()
            for id in ["a", "b", "c"] { republisher.enqueue(transition(id)) }
            #expect(republisher.stop())
        }
        #expect(publisher.topics.count == 3)
        #expect(publisher.flushes == 1, "stop returned before the final flush")
        // The thread let go of the republisher when its loop ended; give it a moment to exit.
        let deadline = Date(timeIntervalSinceNow: 5)
        while weakRepublisher != nil, Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        #expect(weakRepublisher == nil, "the republisher outlived its stop: something still holds it")
    }

    @Test("a batch the thread took before stop is flushed too (ThreadSanitizer's slow schedule found it skipped)")
    func batchTakenBeforeStopIsFlushed() throws {
        let publisher = RecordingPublisher(flushDelay: 0)
        let republisher = AlertRepublisher(template: try AlertTopicTemplate("alerts/{sensor}"), logger: Logger(label: "test")) { publisher }
        republisher.start()
        for id in ["a", "b"] { republisher.enqueue(transition(id)) }
        // Wait until the thread has published them: its batch was taken while not stopping.
        let deadline = Date(timeIntervalSinceNow: 10)
        while publisher.topics.count < 2, Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        #expect(publisher.topics.count == 2)
        #expect(publisher.flushes == 0, "nothing flushes before stop")
        #expect(republisher.stop())
        #expect(publisher.flushes == 1, "stop ended without waiting for the acknowledgements of the last batch")
    }

    @Test("a connect that hangs does not hang stop: it returns false at its deadline")
    func stopIsBounded() throws {
        let release = Guarded(false)
        let republisher = AlertRepublisher(template: try AlertTopicTemplate("alerts/{sensor}"), logger: Logger(label: "test")) {
            while !release.withLock({ $0 }) { Thread.sleep(forTimeInterval: 0.01) }
            throw CocoaError(.fileNoSuchFile)
        }
        republisher.start()
        republisher.enqueue(transition("a"))
        Thread.sleep(forTimeInterval: 0.1)
        let started = Date()
        #expect(republisher.stop(timeout: 0.5) == false)
        let waited = Date().timeIntervalSince(started)
        #expect(waited >= 0.45 && waited < 3, "waited \(waited) s")
        release.withLock { $0 = true }
        // Released, the loop sees `closed` after its failed connect and ends.
        #expect(republisher.stop(timeout: 5))
    }

    @Test("stop without start returns at once")
    func stopWithoutStart() throws {
        let republisher = AlertRepublisher(template: try AlertTopicTemplate("alerts/{sensor}"), logger: Logger(label: "test")) { RecordingPublisher(flushDelay: 0) }
        #expect(republisher.stop(timeout: 5))
    }
}

import Testing
import TinsenseCore
@testable import TinsenseSparkplug

@Suite("Sparkplug session: seq, reordering, bdSeq and death")
struct SparkplugSequenceTests {
    typealias P = TestPayloads

    static func at(_ ms: Int64) -> Timestamp { P.t0.adding(milliseconds: ms) }

    @Test("seq wraps from 255 to 0 without a gap, and NBIRTH may start at any seq")
    func seqWraps() {
        var session = SparkplugSession()
        _ = session.receive(topic: P.topic(.nbirth), payload: P.payload(seq: 254, [P.bdSeq(0)]), receivedAt: P.t0)
        _ = session.receive(topic: P.topic(.dbirth, device: "d"), payload: P.payload(seq: 255, [P.metric("m", alias: 1)]), receivedAt: P.t0)
        var values: [String] = []
        for seq in [0, 1, 2] as [UInt64] {
            values += session.receive(topic: P.topic(.ddata, device: "d"), payload: P.payload(seq: seq, [P.metric(alias: 1, double: Double(seq))]), receivedAt: P.t0).values
        }
        #expect(values == ["0", "1", "2"])
        #expect(session.counters.sequenceGaps == 0)
        #expect(session.heldMessageCount == 0)
    }

    @Test("a message ahead of the expected seq is held and applied in order once the missing one arrives")
    func reorders() {
        var session = P.bornSession()
        let (t3, p3) = P.ddata(seq: 3, value: 3, timestamp: 3)
        let (t2, p2) = P.ddata(seq: 2, value: 2, timestamp: 2)
        #expect(session.receive(topic: t3, payload: p3, receivedAt: Self.at(10)).isEmpty)
        #expect(session.heldMessageCount == 1)
        let events = session.receive(topic: t2, payload: p2, receivedAt: Self.at(20))
        #expect(events.values == ["2", "3"])
        #expect(session.counters.reordered == 1)
        #expect(session.counters.sequenceGaps == 0)
    }

    @Test("after the reorder timeout the held messages are released in seq order and the missing numbers count as gaps")
    func timeoutReleasesAndCountsGap() {
        var session = P.bornSession(limits: SparkplugLimits(reorderTimeoutMilliseconds: 2_000))
        for seq in [5, 4] as [UInt64] {
            let (t, p) = P.ddata(seq: seq, value: Double(seq), timestamp: seq)
            #expect(session.receive(topic: t, payload: p, receivedAt: Self.at(0)).isEmpty)
        }
        #expect(session.releaseExpired(now: Self.at(1_999)).isEmpty)
        let released = session.releaseExpired(now: Self.at(2_000))
        #expect(released.values == ["4", "5"])
        #expect(session.counters.sequenceGaps == 2)  // seq 2 and 3 never came
        // The stream goes on from 6; a late seq 3 is applied as it is (storage drops duplicates).
        let (t6, p6) = P.ddata(seq: 6, value: 6, timestamp: 6)
        #expect(session.receive(topic: t6, payload: p6, receivedAt: Self.at(2_100)).values == ["6"])
        let (t3, p3) = P.ddata(seq: 3, value: 3, timestamp: 3)
        #expect(session.receive(topic: t3, payload: p3, receivedAt: Self.at(2_200)).values == ["3"])
        #expect(session.counters.lateMessages == 1)
    }

    @Test("the next message after the timeout releases what expired before it is applied")
    func nextMessageReleasesExpired() {
        var session = P.bornSession(limits: SparkplugLimits(reorderTimeoutMilliseconds: 500))
        let (t4, p4) = P.ddata(seq: 4, value: 4, timestamp: 4)
        _ = session.receive(topic: t4, payload: p4, receivedAt: Self.at(0))
        let (t5, p5) = P.ddata(seq: 5, value: 5, timestamp: 5)
        #expect(session.receive(topic: t5, payload: p5, receivedAt: Self.at(600)).values == ["4", "5"])
        #expect(session.counters.sequenceGaps == 2)
    }

    @Test("held messages are bounded: one more than maxHeldMessagesPerNode releases them all at once")
    func heldBounded() {
        var session = P.bornSession(limits: SparkplugLimits(maxHeldMessagesPerNode: 3, reorderTimeoutMilliseconds: 60_000))
        var released: [String] = []
        for seq in [4, 5, 6, 7] as [UInt64] {
            let (t, p) = P.ddata(seq: seq, value: Double(seq), timestamp: seq)
            released += session.receive(topic: t, payload: p, receivedAt: Self.at(0)).values
        }
        #expect(released == ["4", "5", "6", "7"])
        #expect(session.heldMessageCount == 0)
        #expect(session.counters.sequenceGaps == 2)
    }

    @Test("an NDEATH with the current bdSeq marks the node's and its devices' metrics stale; DATA after it is not_born")
    func deathMarksStale() {
        var session = P.bornSession()
        let events = session.receive(topic: P.topic(.ndeath), payload: P.payload(seq: nil, [P.bdSeq(3)]), receivedAt: Self.at(5))
        guard case .stale(let node, let device, let metrics, let at)? = events.first else {
            Issue.record("no stale event: \(events)")
            return
        }
        #expect(node == P.node)
        #expect(device == nil)
        #expect(Set(metrics.map(\.description)) == ["tinmine/pilot1/uptime", "tinmine/pilot1/crusher01/vibration", "tinmine/pilot1/crusher01/bearing_temp"])
        #expect(at == Self.at(5))
        #expect(!session.isAlive(P.node))
        let (t, p) = P.ddata(seq: 2, value: 1)
        #expect(session.receive(topic: t, payload: p, receivedAt: Self.at(6)).rejections.map(\.reason) == [.notBorn])
    }

    @Test("an NDEATH whose bdSeq is not the current NBIRTH's is a stale will and is ignored")
    func staleDeathIgnored() {
        var session = P.bornSession()  // bdSeq 3
        let events = session.receive(topic: P.topic(.ndeath), payload: P.payload(seq: nil, [P.bdSeq(2)]), receivedAt: P.t0)
        #expect(events.isEmpty)
        #expect(session.isAlive(P.node))
        #expect(session.counters.staleDeathsIgnored == 1)
        let (t, p) = P.ddata(seq: 2, value: 1)
        #expect(session.receive(topic: t, payload: p, receivedAt: P.t0).values == ["1"])
    }

    @Test("a DDEATH marks only its device's metrics stale")
    func deviceDeath() {
        var session = P.bornSession()
        let events = session.receive(topic: P.topic(.ddeath, device: "crusher01"), payload: P.payload(seq: 2, []), receivedAt: P.t0)
        #expect(events == [.stale(edgeNode: P.node, device: "crusher01", metrics: [
            SparkplugMetricKey(edgeNode: P.node, device: "crusher01", name: "bearing_temp"),
            SparkplugMetricKey(edgeNode: P.node, device: "crusher01", name: "vibration"),
        ], at: P.t0)])
        #expect(session.isAlive(P.node))
        let node = session.receive(topic: P.topic(.ndata), payload: P.payload(seq: 3, [P.metric(alias: 1, double: 9)]), receivedAt: P.t0)
        #expect(node.values == ["9"])
    }

    @Test("messages held when the node dies are applied before the death, not dropped")
    func heldBeforeDeath() {
        var session = P.bornSession()
        let (t, p) = P.ddata(seq: 4, value: 4, timestamp: 4)
        _ = session.receive(topic: t, payload: p, receivedAt: P.t0)
        let events = session.receive(topic: P.topic(.ndeath), payload: P.payload(seq: nil, [P.bdSeq(3)]), receivedAt: P.t0)
        #expect(events.values == ["4"])
        #expect(events.count == 2)
        #expect(session.counters.sequenceGaps == 2)
    }

    @Test("a new NBIRTH after a death starts a new session: new bdSeq, the old will is ignored, DATA flows again")
    func rebirthAfterDeath() {
        var session = P.bornSession()
        _ = session.receive(topic: P.topic(.ndeath), payload: P.payload(seq: nil, [P.bdSeq(3)]), receivedAt: P.t0)
        _ = session.receive(topic: P.topic(.nbirth), payload: P.payload(seq: 0, [P.bdSeq(4), P.metric("uptime", alias: 1)]), receivedAt: P.t0)
        #expect(session.bdSeq(of: P.node) == 4)
        #expect(session.receive(topic: P.topic(.ndeath), payload: P.payload(seq: nil, [P.bdSeq(3)]), receivedAt: P.t0).isEmpty)
        #expect(session.receive(topic: P.topic(.ndata), payload: P.payload(seq: 1, [P.metric(alias: 1, double: 5)]), receivedAt: P.t0).values == ["5"])
        // Devices must be born again after an NBIRTH.
        let (t, p) = P.ddata(seq: 2, value: 1)
        #expect(session.receive(topic: t, payload: p, receivedAt: P.t0).rejections.map(\.reason) == [.notBorn])
    }

    @Test("edge nodes are bounded: a new one beyond maxEdgeNodes is refused unless a dead one can be forgotten")
    func edgeNodesBounded() {
        var session = SparkplugSession(limits: SparkplugLimits(maxEdgeNodes: 2))
        for name in ["a", "b"] {
            _ = session.receive(topic: P.topic(.nbirth, node: .init(group: "g", node: name)), payload: P.payload(seq: 0, [P.bdSeq(0)]), receivedAt: P.t0)
        }
        let third = SparkplugTopic.EdgeNode(group: "g", node: "c")
        let refused = session.receive(topic: P.topic(.nbirth, node: third), payload: P.payload(seq: 0, [P.bdSeq(0)]), receivedAt: P.t0)
        #expect(refused.rejections.map(\.reason) == [.seriesLimit])
        #expect(session.edgeNodeCount == 2)
        _ = session.receive(topic: P.topic(.ndeath, node: .init(group: "g", node: "a")), payload: P.payload(seq: nil, [P.bdSeq(0)]), receivedAt: P.t0)
        _ = session.receive(topic: P.topic(.nbirth, node: third), payload: P.payload(seq: 0, [P.bdSeq(0)]), receivedAt: P.t0)
        #expect(session.isAlive(third))
        #expect(session.edgeNodeCount == 2)
    }

    @Test("aliases and devices are bounded per edge node")
    func aliasesAndDevicesBounded() {
        var session = SparkplugSession(limits: SparkplugLimits(maxDevicesPerNode: 1, maxAliasesPerNode: 2))
        _ = session.receive(topic: P.topic(.nbirth), payload: P.payload(seq: 0, [P.bdSeq(0)]), receivedAt: P.t0)
        let birth = session.receive(topic: P.topic(.dbirth, device: "d1"), payload: P.payload(seq: 1, [
            P.metric("a", alias: 1), P.metric("b", alias: 2), P.metric("c", alias: 3),
        ]), receivedAt: P.t0)
        #expect(birth.rejections.map(\.reason) == [.seriesLimit])
        let second = session.receive(topic: P.topic(.dbirth, device: "d2"), payload: P.payload(seq: 2, [P.metric("a", alias: 4)]), receivedAt: P.t0)
        #expect(second.rejections.map(\.reason) == [.seriesLimit])
    }
}

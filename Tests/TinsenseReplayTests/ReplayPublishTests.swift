import Foundation
import Testing
import TinsenseCore
import TinsenseMQTT
import TinsenseReplay
import TinsenseStorage
import TinsenseTestSupport

@Suite("replay --publish through a real broker", .serialized)
struct ReplayPublishTests {
    @Test("the pacer's deadlines are the recorded offsets divided by the speed, from the first message")
    func deadlines() {
        var pacer = ReplayPacer(speed: 4)
        let t0 = Timestamp(millisecondsSinceEpoch: 1_000_000)
        let start = pacer.deadline(for: t0)
        #expect(pacer.deadline(for: t0.adding(milliseconds: 1000)) - start == 250_000_000)
        #expect(pacer.deadline(for: t0.adding(milliseconds: 4000)) - start == 1_000_000_000)
        #expect(pacer.deadline(for: t0.adding(milliseconds: -400)) - start == -100_000_000, "a clock step back is due at once, not waited for")
    }

    @Test("the same bytes on the same topics (prefixed), retain flags kept, gaps at speed 2 within generous bounds")
    func sameBytesAndTiming() throws {
        let broker = try MosquittoBroker()
        try broker.start()
        defer { broker.stop() }
        let dir = TemporaryDirectory("replay-pub")
        // Gaps of 50 and 150 ms alternating: at speed 2, 25 and 75 ms.
        var records: [WALRecord] = []
        var t: Int64 = 1_700_000_000_000
        for k in 0..<40 {
            t += k % 2 == 0 ? 50 : 150
            records.append(WALRecord(receiveTime: Timestamp(millisecondsSinceEpoch: t), qos: 1, topic: Array("plant/s\(k % 4)".utf8),
                                     payload: Array("v\(k) \u{00}\u{FF}".utf8) + [0, 255, UInt8(k)], retained: k >= 36))
        }
        let recording = try RecordingFixtures.write(records, to: dir.path)
        let (subscriber, collector) = try MessageCollector.subscribe(broker, "again/#", id: "replay-test-sub")
        defer { subscriber.stop() }
        let summary = try StreamReplayer(options: ReplayOptions(recording: recording, broker: try BrokerURL(parsing: broker.url), speed: .factor(2), topicPrefix: "again/"),
                                         logger: quietLogger).run(stop: StopRequest(trapping: []))
        #expect(summary.sent == records.count)
        #expect(eventually(timeout: 10) { collector.count >= records.count })
        let got = collector.all
        #expect(got.map(\.topic) == records.map { "again/" + $0.topicString })
        #expect(got.map(\.payload) == records.map(\.payload))
        // Recorded offsets halved. Deadlines are absolute, so a late message does not delay
        // the next: each arrival within 150 ms of its recorded offset / 2, and the whole run
        // within 10 % (generous on a loaded machine; the precise p99 is the benchmark's).
        for i in 1..<got.count {
            let want = Double(records[0].receiveTime.milliseconds(to: records[i].receiveTime)) / 2
            let offset = Double(got[i].arrivalNs - got[0].arrivalNs) / 1e6
            #expect(abs(offset - want) < 150, "message \(i) at \(offset) ms, recorded/2 \(want) ms")
        }
        let want = Double(records.first!.receiveTime.milliseconds(to: records.last!.receiveTime)) / 2
        let span = Double(got.last!.arrivalNs - got.first!.arrivalNs) / 1e6
        #expect(abs(span - want) < want * 0.1, "span \(span) ms, recorded/2 \(want) ms")
        // The retained messages are now what the broker keeps on their topics.
        let (late, retainedSeen) = try MessageCollector.subscribe(broker, "again/#", id: "replay-test-late")
        defer { late.stop() }
        #expect(eventually(timeout: 5) { retainedSeen.count >= 4 })
        let retained = retainedSeen.all.filter(\.retained)
        #expect(Set(retained.map(\.payload)) == Set(records.suffix(4).map(\.payload)))
    }

    @Test("a stop request ends the replay between messages, after flushing what was sent")
    func stopsCleanly() throws {
        let broker = try MosquittoBroker()
        try broker.start()
        defer { broker.stop() }
        let dir = TemporaryDirectory("replay-stop")
        let records = RecordingFixtures.records(count: 100, gapMs: 100)
        let recording = try RecordingFixtures.write(records, to: dir.path)
        let stop = StopRequest(trapping: [])
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.5) { stop.request(SIGINT) }
        let started = Date()
        let summary = try StreamReplayer(options: ReplayOptions(recording: recording, broker: try BrokerURL(parsing: broker.url)), logger: quietLogger)
            .run(stop: stop)
        #expect(summary.stoppedBy == SIGINT)
        #expect(summary.sent > 0 && summary.sent < records.count)
        #expect(Date().timeIntervalSince(started) < 5, "a pending 100 ms sleep does not hold the stop")
    }
}

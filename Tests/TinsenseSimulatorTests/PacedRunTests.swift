import Testing
import TinsenseCore
import TinsenseSimulator

/// A wall clock that moves only when the run pauses, 50 ms a tick, as the CLI's does.
final class SteppingClock: PacingClock {
    private(set) var now = 0.0
    private(set) var pauses = 0

    func elapsedMilliseconds() -> Double { now }

    func pause() async {
        pauses += 1
        now += 50
    }
}

/// Keeps every message it is given, with the clock's reading when it came.
final class RecordingPublisher: PlantMessagePublisher {
    let clock: SteppingClock?
    private(set) var messages: [SimulatedMessage] = []
    private(set) var publishedAt: [Double] = []

    init(clock: SteppingClock? = nil) { self.clock = clock }

    func publish(_ message: SimulatedMessage) throws {
        messages.append(message)
        publishedAt.append(clock?.elapsedMilliseconds() ?? 0)
    }
}

@Suite("paced simulator run")
struct PacedRunTests {
    static let start = Timestamp(millisecondsSinceEpoch: 1_772_431_200_000)  // 2026-03-02T06:00:00Z

    /// Everything the plant sends in its first `milliseconds`, in the order it sends it.
    static func expected(_ milliseconds: Int64) -> [SimulatedMessage] {
        var model = PlantModel(seed: 3, start: start)
        return model.messages(upTo: start.adding(milliseconds: milliseconds))
    }

    @Test("at rate 2 every message goes out in time order, only once it is due and within one tick of it")
    func pacedInTimeOrder() async throws {
        let clock = SteppingClock()
        let publisher = RecordingPublisher(clock: clock)
        var run = PacedRun(model: PlantModel(seed: 3, start: Self.start), durationMilliseconds: 20_000, speedUp: 2)
        let count = try await run.run(publishingTo: publisher, clock: clock, isStopRequested: { false })
        let expected = Self.expected(20_000)
        #expect(count == expected.count)
        #expect(publisher.messages == expected)
        #expect(clock.pauses == 200)  // 20 s of plant at 2× in 50 ms ticks
        for (message, wall) in zip(publisher.messages, publisher.publishedAt) {
            let due = Double(Self.start.milliseconds(to: message.time)) / 2
            #expect(due < wall)
            #expect(wall - due <= 50)
        }
    }

    @Test("at max rate it never waits and publishes the whole duration")
    func maxRate() async throws {
        let clock = SteppingClock()
        let publisher = RecordingPublisher()
        var run = PacedRun(model: PlantModel(seed: 3, start: Self.start), durationMilliseconds: 25_000, speedUp: nil)
        let count = try await run.run(publishingTo: publisher, clock: clock, isStopRequested: { false })
        #expect(clock.pauses == 0)
        #expect(count == Self.expected(25_000).count)
        #expect(publisher.messages == Self.expected(25_000))
    }

    @Test("a stop request ends the run after the batch in flight, and the count says what went out")
    func stops() async throws {
        let publisher = RecordingPublisher()
        var run = PacedRun(model: PlantModel(seed: 3, start: Self.start), durationMilliseconds: 60_000, speedUp: nil)
        let count = try await run.run(publishingTo: publisher, clock: SteppingClock(), isStopRequested: { !publisher.messages.isEmpty })
        #expect(count == Self.expected(10_000).count)  // max rate goes in 10 s steps of plant time
        #expect(publisher.messages.count == count)
    }
}

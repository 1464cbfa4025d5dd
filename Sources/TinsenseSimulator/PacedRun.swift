import TinsenseCore

/// Where a paced run sends the plant's messages. The CLI passes TinsenseMQTT's publisher,
/// so this module stays free of MQTT.
package protocol PlantMessagePublisher {
    func publish(_ message: SimulatedMessage) throws
}

/// The wall clock a paced run keeps step with.
package protocol PacingClock {
    /// Wall milliseconds since the run began.
    func elapsedMilliseconds() -> Double
    /// Waits one pacing tick (the CLI: 50 ms).
    func pause() async
}

/// Publishes a plant's messages in time order, paced so that simulated time runs `speedUp`
/// times faster than the wall clock, or as fast as the publisher takes them (`speedUp` nil:
/// in steps of 10 s of plant time).
package struct PacedRun {
    package var model: PlantModel
    package let durationMilliseconds: Int64
    /// nil = as fast as possible.
    package let speedUp: Double?

    package init(model: PlantModel, durationMilliseconds: Int64, speedUp: Double?) {
        self.model = model
        self.durationMilliseconds = durationMilliseconds
        self.speedUp = speedUp
    }

    /// Publishes until the duration is done or `isStopRequested` turns true (checked once a
    /// tick), and returns how many messages were published. A publisher error ends the run.
    package mutating func run(publishingTo publisher: some PlantMessagePublisher, clock: some PacingClock,
                             isStopRequested: () -> Bool) async throws -> Int {
        /// Simulated milliseconds already published.
        var done: Int64 = 0
        var published = 0
        while done < durationMilliseconds, !isStopRequested() {
            let target: Int64
            if let speedUp {
                target = min(durationMilliseconds, Int64(clock.elapsedMilliseconds() * speedUp))
            } else {
                target = min(durationMilliseconds, done + 10_000)
            }
            if target > done {
                for message in model.messages(upTo: model.start.adding(milliseconds: target)) {
                    try publisher.publish(message)
                    published += 1
                }
                done = target
            }
            if speedUp != nil, done < durationMilliseconds {
                await clock.pause()
            }
        }
        return published
    }
}

import Foundation
import Logging
import TinsenseCore
import TinsenseMQTT
import TinsenseSimulator
import UnixSignals

/// `tinsense simulate --format sparkplug`: the plant as one Sparkplug B edge node
/// (`SparkplugPlantEncoder`) on an MQTT connection whose will is the node's NDEATH.
///
/// Each connection is one Sparkplug session: connect with the NDEATH of the current bdSeq as
/// the will, publish NBIRTH and the DBIRTHs, then DDATA. When the connection drops (libmosquitto
/// would reconnect with the old will, whose death the broker has already published), the
/// connection is replaced by a new one with the next bdSeq and the node is born again. At the
/// end the node publishes its NDEATH itself and disconnects.
final class SparkplugPlantPublisher: PlantMessagePublisher {
    private var encoder: SparkplugPlantEncoder
    private var publisher: MQTTPublisher?
    private let connect: (_ will: SparkplugPlantEncoder.Message) throws -> MQTTPublisher
    /// Connections made so far (1 = never reconnected); the CLI reports rebirths.
    private(set) var sessions = 0

    /// - Parameter connect: makes a connected publisher whose will is the given message.
    init(encoder: SparkplugPlantEncoder, connect: @escaping (_ will: SparkplugPlantEncoder.Message) throws -> MQTTPublisher) {
        self.encoder = encoder
        self.connect = connect
    }

    /// Connects and publishes the births.
    func start(at time: Timestamp) throws {
        if sessions > 0 { encoder.nextConnection() }
        publisher?.disconnect()
        publisher = nil
        let next = try connectRetrying()
        sessions += 1
        for message in encoder.birth(at: time) {
            try next.publish(topic: message.topic, payload: message.payload, qos: 1, retain: false)
        }
        publisher = next
    }

    func publish(_ message: SimulatedMessage) throws {
        // A dropped or silently re-established connection ends the Sparkplug session: rebirth.
        if publisher == nil || !(publisher!.isConnected && publisher!.connectionCount == 1) {
            try start(at: message.time)
        }
        guard let publisher, let data = encoder.data(message) else { return }
        try publisher.publish(topic: data.topic, payload: data.payload, qos: 1, retain: false)
    }

    /// Flushes, publishes the NDEATH (an intentional disconnect sends no will) and disconnects.
    func finish(flushTimeout: Duration) throws {
        guard let publisher else { return }
        try publisher.flush(timeout: flushTimeout)
        let death = encoder.death()
        try publisher.publish(topic: death.topic, payload: death.payload, qos: 1, retain: false)
        try publisher.flush(timeout: flushTimeout)
        publisher.disconnect()
        self.publisher = nil
    }

    /// Up to 60 attempts a second apart: a broker restart takes a few seconds.
    private func connectRetrying() throws -> MQTTPublisher {
        var attempt = 0
        while true {
            do {
                return try connect(encoder.death())
            } catch {
                attempt += 1
                if attempt >= 60 { throw error }
                usleep(1_000_000)
            }
        }
    }
}

extension SimulateCommand {
    /// `publish` for `--format sparkplug`: the same paced run, through a Sparkplug edge node.
    func publishSparkplug(_ plan: Plan) async throws(MQTTError) -> Int {
        let logger = Logger(label: "tinsense.simulate")
        guard let broker = plan.broker else { throw MQTTError.refused("no broker") }
        let clientID = "tinsense-sim-\(seed)"
        let edgeNode = SparkplugPlantPublisher(encoder: SparkplugPlantEncoder(sensors: plan.model.sensors)) { will in
            let publisher = try MQTTPublisher(broker: broker, clientID: clientID, logger: logger)
            try publisher.setWill(topic: will.topic, payload: will.payload, qos: 1, retain: false)
            try publisher.connect(timeout: .seconds(10))
            return publisher
        }
        let stop = StopRequest()
        let signals = await UnixSignalsSequence(trapping: .sigint, .sigterm)
        let watcher = Task {
            for await _ in signals { stop.request() }
        }
        defer { watcher.cancel() }
        do {
            try edgeNode.start(at: plan.model.start)
            var run = PacedRun(model: plan.model, durationMilliseconds: plan.durationMilliseconds, speedUp: plan.speedUp)
            let published = try await run.run(publishingTo: edgeNode, clock: WallPacingClock(), isStopRequested: { stop.isRequested })
            try edgeNode.finish(flushTimeout: .seconds(60))
            if edgeNode.sessions > 1 { printError("tinsense simulate: the edge node was born \(edgeNode.sessions) times (reconnected)") }
            return published
        } catch let error as MQTTError {
            throw error
        } catch {
            throw MQTTError.refused("\(error)")
        }
    }
}

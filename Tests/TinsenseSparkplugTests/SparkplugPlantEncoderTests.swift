import Testing
import TinsenseCore
import TinsenseSimulator
@testable import TinsenseSparkplug

@Suite("The simulator's Sparkplug edge node")
struct SparkplugPlantEncoderTests {
    static let t0 = TestPayloads.t0

    /// The plant's first minute through the encoder and a session, as a host would see it.
    @Test("every sample of the plant arrives as one reading of the sensor id {device}/{metric}, in seq order")
    func plantThroughSession() throws {
        var model = PlantModel(seed: 5, start: Self.t0)
        var encoder = SparkplugPlantEncoder(sensors: model.sensors)
        var session = SparkplugSession()
        var events: [SparkplugEvent] = []
        for m in encoder.birth(at: Self.t0) {
            events += try session.receive(topic: m.topic, payload: m.payload, receivedAt: Self.t0).get()
        }
        #expect(events.isEmpty)  // births declare, they carry no values
        let samples = model.messages(upTo: Self.t0.adding(milliseconds: 60_000))
        for sample in samples {
            let encoded = encoder.data(sample)
            let m = try #require(encoded)
            events += try session.receive(topic: m.topic, payload: m.payload, receivedAt: sample.time).get()
        }
        let readings = events.readings
        #expect(readings.count == samples.count)
        #expect(readings.map { "\($0.key.device!)/\($0.key.name)" } == samples.map(\.sensor))
        #expect(readings.map(\.sourceTime) == samples.map(\.time))
        #expect(zip(readings, samples).allSatisfy { r, s in
            if case .number(let d) = r.value { d.doubleValue == s.sentValue?.doubleValue } else { false }
        })
        #expect(session.counters.sequenceGaps == 0)
        #expect(Set(readings.compactMap(\.unit)) == Set(model.sensors.map(\.unit)))
    }

    @Test("a new connection has the next bdSeq in its will and NBIRTH, and seq starts again at 0")
    func rebirth() throws {
        var encoder = SparkplugPlantEncoder(sensors: PlantModel(seed: 1, start: Self.t0).sensors, bdSeq: 255)
        let firstWill = try SparkplugPayloadDecoder.decode(encoder.death().payload).get()
        #expect(SparkplugSession.bdSeq(in: firstWill) == 255)
        _ = encoder.birth(at: Self.t0)
        #expect(encoder.seq == UInt8(1 + encoder.devices.count))
        encoder.nextConnection()
        let will = try SparkplugPayloadDecoder.decode(encoder.death().payload).get()
        #expect(SparkplugSession.bdSeq(in: will) == 0)  // bdSeq wraps at 256 like seq
        let births = encoder.birth(at: Self.t0)
        let nbirth = try SparkplugPayloadDecoder.decode(births[0].payload).get()
        #expect(nbirth.seq == 0)
        #expect(SparkplugSession.bdSeq(in: nbirth) == 0)
    }

    @Test("a malformed sample becomes bytes the decoder refuses, and takes no seq")
    func malformedSample() throws {
        var model = PlantModel(seed: 2, start: Self.t0)
        var encoder = SparkplugPlantEncoder(sensors: model.sensors)
        _ = encoder.birth(at: Self.t0)
        var sample = try #require(model.messages(upTo: Self.t0.adding(milliseconds: 2_000)).first)
        sample.sentValue = nil
        let before = encoder.seq
        let encoded = encoder.data(sample)
        let m = try #require(encoded)
        #expect(encoder.seq == before)
        guard case .failure(let error) = SparkplugPayloadDecoder.decode(m.payload) else {
            Issue.record("malformed bytes decoded")
            return
        }
        #expect(error.reason == .malformed)
    }
}

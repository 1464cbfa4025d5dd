import Testing
import TinsenseCore
@testable import TinsenseDecode
import TinsenseSparkplug

@Suite("MessageDecoder with format sparkplug")
struct SparkplugMessageDecoderTests {
    static let t0 = Timestamp(millisecondsSinceEpoch: 1_795_750_000_000)

    static func bytes(seq: UInt64?, _ metrics: [(name: String?, alias: UInt64?, value: Double?)], bdSeq: UInt64? = nil) -> [UInt8] {
        var p = SparkplugPayload()
        if let seq { p.seq = seq }
        p.timestamp = 1_795_750_000_000
        if let bdSeq {
            var m = SparkplugMetric()
            m.name = "bdSeq"
            m.longValue = bdSeq
            p.metrics.append(m)
        }
        for spec in metrics {
            var m = SparkplugMetric()
            if let name = spec.name { m.name = name }
            if let alias = spec.alias { m.alias = alias }
            m.datatype = UInt32(SparkplugDataType.double.rawValue)
            if let v = spec.value { m.doubleValue = v }
            p.metrics.append(m)
        }
        return SparkplugPayloadEncoder.encode(p)
    }

    func items(_ outcome: PayloadDecoder.Outcome) -> [DecodedItem] {
        guard case .items(let results) = outcome else { return [] }
        return results.compactMap { try? $0.get() }
    }

    @Test("BIRTH and DATA values of a metric are items of one metric under the device's DATA topic")
    func birthAndDataOneTopic() {
        var decoder = MessageDecoder(limits: DecodeLimits())
        let format = PayloadFormat(.sparkplug)
        _ = decoder.decode(topic: "spBv1.0/g/NBIRTH/n", payload: Self.bytes(seq: 0, [], bdSeq: 1), format: format, receiveTime: Self.t0)
        let birth = items(decoder.decode(topic: "spBv1.0/g/DBIRTH/n/d", payload: Self.bytes(seq: 1, [("ph", 7, 6.5)]), format: format, receiveTime: Self.t0))
        let data = items(decoder.decode(topic: "spBv1.0/g/DDATA/n/d", payload: Self.bytes(seq: 2, [(nil, 7, 6.6)]), format: format, receiveTime: Self.t0))
        #expect(birth.map(\.metric) == ["ph"] && data.map(\.metric) == ["ph"])
        #expect(birth.map(\.topic) == ["spBv1.0/g/DDATA/n/d"] && data.map(\.topic) == ["spBv1.0/g/DDATA/n/d"])
        #expect(data.first?.value == .number(DecimalValue("6.6")!))
    }

    @Test("an unknown alias is an item failure with its reason; bytes that are no protobuf fail the message")
    func failures() {
        var decoder = MessageDecoder(limits: DecodeLimits())
        let format = PayloadFormat(.sparkplug)
        _ = decoder.decode(topic: "spBv1.0/g/NBIRTH/n", payload: Self.bytes(seq: 0, [], bdSeq: 1), format: format, receiveTime: Self.t0)
        guard case .items(let results) = decoder.decode(topic: "spBv1.0/g/NDATA/n", payload: Self.bytes(seq: 1, [(nil, 99, 1)]), format: format, receiveTime: Self.t0),
              case .failure(let f)? = results.first else {
            Issue.record("no item failure")
            return
        }
        #expect(f.reason == .unknownMetric)
        guard case .failure(let whole) = decoder.decode(topic: "spBv1.0/g/NDATA/n", payload: [0x12, 0x64, 0x01], format: format, receiveTime: Self.t0) else {
            Issue.record("garbage decoded")
            return
        }
        #expect(whole.reason == .malformed)
    }

    @Test("an NDEATH leaves one stale mark per metric of the node and its devices, taken once")
    func deathMarks() {
        var decoder = MessageDecoder(limits: DecodeLimits())
        let format = PayloadFormat(.sparkplug)
        _ = decoder.decode(topic: "spBv1.0/g/NBIRTH/n", payload: Self.bytes(seq: 0, [("uptime", 1, nil)], bdSeq: 5), format: format, receiveTime: Self.t0)
        _ = decoder.decode(topic: "spBv1.0/g/DBIRTH/n/d", payload: Self.bytes(seq: 1, [("ph", 7, nil)]), format: format, receiveTime: Self.t0)
        _ = decoder.decode(topic: "spBv1.0/g/NDEATH/n", payload: Self.bytes(seq: nil, [], bdSeq: 5), format: format, receiveTime: Self.t0)
        let marks = decoder.sparkplug.takeStaleMarks()
        #expect(Set(marks.map { "\($0.topic) \($0.metric)" }) == ["spBv1.0/g/NDATA/n uptime", "spBv1.0/g/DDATA/n/d ph"])
        #expect(decoder.sparkplug.takeStaleMarks().isEmpty)
    }
}

import Testing
import TinsenseCore
import TinsenseDecode

private let t0 = Timestamp(millisecondsSinceEpoch: 1_767_225_600_000)

private func decodeMessage(_ text: String, topic: String = "plant/x", format: PayloadFormat) -> PayloadDecoder.Outcome {
    var decoder = MessageDecoder(limits: DecodeLimits())
    return decoder.decode(topic: topic, payload: Array(text.utf8), format: format, receiveTime: t0)
}

@Suite("MessageDecoder")
struct MessageDecoderTests {
    @Test("format json decodes exactly as PayloadDecoder does, errors included, and gives no metric", arguments: [
        #"{"value": 7.14, "ts": "2026-11-27T03:37:11.250Z", "unit": "[pH]"}"#, "7.14", #"[{"value":1},{"value":"x"}]"#,
        #"{"value": true}"#, "not json", "", "[]",
    ])
    func jsonUnchanged(text: String) {
        let outcome = decodeMessage(text, format: .json)
        #expect(outcome == decode(text))
        if case .items(let items) = outcome {
            for case .success(let item) in items { #expect(item.metric == nil && item.tags.isEmpty) }
        }
    }

    @Test("auto: a topic under spBv1.0/ is Sparkplug whatever the payload")
    func autoSparkplugByTopic() {
        let bytes: [UInt8] = Array("{\"value\":1}".utf8)
        #expect(bytes.withUnsafeBytes { PayloadFormat.detect(topic: "spBv1.0/plant/NDATA/node1", payload: $0) } == .sparkplug)
        #expect(bytes.withUnsafeBytes { PayloadFormat.detect(topic: "spBv1.0x/plant", payload: $0) } == .json)
        #expect(bytes.withUnsafeBytes { PayloadFormat.detect(topic: "plant/spBv1.0/a", payload: $0) } == .json)
    }

    @Test("auto: JSON and numbers by their first non-blank byte, anything else is line protocol", arguments: [
        ("{\"value\":1}", PayloadFormat.Kind.json), ("[{\"value\":1}]", .json), ("7.1", .json), ("-3", .json), ("+3", .json),
        (".5", .json), ("  \n\t{\"value\":1}", .json), ("flotation,cell=3 ph=7.1", .influx), ("# comment\nm v=1", .influx),
        ("NaN", .influx), ("\u{FF}", .influx),
    ])
    func autoByPayload(text: String, expected: PayloadFormat.Kind) {
        let bytes = Array(text.utf8)
        #expect(bytes.withUnsafeBytes { PayloadFormat.detect(topic: "plant/x", payload: $0) } == expected)
    }

    @Test("auto on a JSON payload decodes it as format json does")
    func autoJSONDecodesAsJSON() {
        let text = #"{"value": 7.14, "unit": "[pH]"}"#
        #expect(decodeMessage(text, format: PayloadFormat(.auto)) == decode(text))
    }

    @Test("sparkplug goes to the Sparkplug session: data from an edge node never born is refused as not_born")
    func sparkplugDispatched() {
        // A payload with seq 1 and no metrics (the decoder's own tests: SparkplugMessageDecoderTests).
        let outcome = decodeMessage("\u{18}\u{01}", topic: "spBv1.0/g/NDATA/n", format: PayloadFormat(.sparkplug))
        #expect(outcome == .items([.failure(DecodeFailure(.notBorn, "edge node g/n has no live NBIRTH"))]))
    }

    @Test("every format refuses a payload over max_payload_bytes and an empty one before looking inside", arguments: PayloadFormat.Kind.allCases)
    func envelope(kind: PayloadFormat.Kind) {
        var decoder = MessageDecoder(limits: DecodeLimits(maxPayloadBytes: 8, maxBatch: 10))
        let big = decoder.decode(topic: "spBv1.0/g/NDATA/n", payload: Array("m v=1,w=2,x=3".utf8), format: PayloadFormat(kind), receiveTime: t0)
        #expect(big == .failure(DecodeFailure(.tooLarge, "payload of 13 bytes exceeds max_payload_bytes = 8")))
        let empty = decoder.decode(topic: "plant/x", payload: [], format: PayloadFormat(kind), receiveTime: t0)
        #expect(empty == .failure(DecodeFailure(.malformed, "empty payload")))
    }
}

/// `decodeEach`'s calls, gathered back into an `Outcome` (items in the order and with the
/// indices they were handed over).
private func decodeEachMessage(_ text: String, topic: String = "plant/x", format: PayloadFormat, limits: DecodeLimits = DecodeLimits()) -> PayloadDecoder.Outcome {
    var decoder = MessageDecoder(limits: limits)
    var items: [Result<DecodedItem, DecodeFailure>] = []
    let failure = Array(text.utf8).withUnsafeBytes { payload in
        decoder.decodeEach(topic: topic, payload: payload, format: format, receiveTime: t0) { index, result in
            #expect(index == items.count)
            items.append(result)
        }
    }
    if let failure {
        #expect(items.isEmpty)
        return .failure(failure)
    }
    return .items(items)
}

@Suite("MessageDecoder.decodeEach")
struct MessageDecoderEachTests {
    @Test("item by item gives what decode gives, in order, failures included", arguments: [
        #"{"value": 7.14, "ts": "2026-11-27T03:37:11.250Z", "unit": "[pH]", "quality": "good"}"#, #"{"ts":1795000000000,"value":100.317}"#,
        "7.14", #"[{"value":1},{"value":"x"},{"ts":5}]"#, #"{"value": true}"#, "not json", "", "[]",
        #"{"value":"caf\u00e9"}"#, #"{"nested":{"a":1},"value":2}"#, #"[{"value":1}, {"value":2, "unit":"\u00b0C"}]"#,
    ])
    func sameAsDecode(text: String) {
        #expect(decodeEachMessage(text, format: .json) == decodeMessage(text, format: .json))
        #expect(decodeEachMessage(text, format: PayloadFormat(.auto)) == decodeMessage(text, format: PayloadFormat(.auto)))
    }

    @Test("a batch over max_batch and an oversized payload fail whole, with no item handed over")
    func wholeFailures() {
        let limits = DecodeLimits(maxPayloadBytes: 64, maxBatch: 2)
        let batch = #"[{"value":1},{"value":2},{"value":3}]"#
        var decoder = MessageDecoder(limits: limits)
        let expected = decoder.decode(topic: "plant/x", payload: Array(batch.utf8), format: .json, receiveTime: t0)
        #expect(decodeEachMessage(batch, format: .json, limits: limits) == expected)
        let big = #"{"value":1,"device":""# + String(repeating: "x", count: 80) + #""}"#
        guard case .failure(let f) = decodeEachMessage(big, format: .json, limits: limits) else { Issue.record("not refused"); return }
        #expect(f.reason == .tooLarge)
    }

    @Test("line protocol and Sparkplug go through decode and are handed over item by item")
    func otherFormats() {
        let lines = "flotation,cell=3 ph=7.1,orp=120 1795000000000000000\nbad line"
        #expect(decodeEachMessage(lines, format: PayloadFormat(.influx)) == decodeMessage(lines, format: PayloadFormat(.influx)))
        #expect(decodeEachMessage("\u{18}\u{01}", topic: "spBv1.0/g/NDATA/n", format: PayloadFormat(.sparkplug))
            == decodeMessage("\u{18}\u{01}", topic: "spBv1.0/g/NDATA/n", format: PayloadFormat(.sparkplug)))
    }
}

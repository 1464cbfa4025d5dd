import Testing
import TinsenseCore
import TinsenseTestSupport
@testable import TinsenseSparkplug

@Suite("Sparkplug payload decoding of hostile bytes")
struct SparkplugHostilePayloadTests {
    typealias P = TestPayloads

    func reason(_ bytes: [UInt8], limits: SparkplugLimits = SparkplugLimits()) -> RejectReason? {
        switch SparkplugPayloadDecoder.decode(bytes, limits: limits) {
        case .success: nil
        case .failure(let e): e.reason
        }
    }

    @Test("a payload encoded here decodes to the same message")
    func roundTrip() throws {
        let payload = P.payload(seq: 7, timestamp: 1_795_750_000_000, [P.metric("vibration", alias: 10, double: 4.25, quality: 192, unit: "mm/s")])
        let decoded = try SparkplugPayloadDecoder.decode(SparkplugPayloadEncoder.encode(payload)).get()
        #expect(decoded == payload)
    }

    @Test("truncated varints, truncated fields and lengths past the end are malformed")
    func truncated() {
        #expect(reason([0x08]) == .malformed)                        // field 1 varint, no value
        #expect(reason([0x08, 0xFF, 0xFF]) == .malformed)            // varint cut mid-way
        #expect(reason([0x08] + Array(repeating: 0xFF, count: 11)) == .malformed)  // varint over 10 bytes
        #expect(reason([0x12, 0x64, 0x08, 0x01]) == .malformed)      // metrics claims 100 bytes
        #expect(reason([0x12, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F]) == .malformed)  // a 4 GB length
        #expect(reason([0x0B]) == .malformed)                        // a group start (wire type 3)
        #expect(reason([0x0F]) == .malformed)                        // wire type 7
        let valid = SparkplugPayloadEncoder.encode(P.payload(seq: 1, [P.metric("m", alias: 1, double: 1.5, unit: "Cel")]))
        for cut in 1..<valid.count {
            // Any prefix decodes or is refused; none crashes. Most are refused.
            _ = SparkplugPayloadDecoder.decode(Array(valid.prefix(cut)))
        }
    }

    @Test("an empty payload is a message with nothing in it, not an error")
    func empty() {
        #expect(reason([]) == nil)
    }

    @Test("a huge repeated metrics field is refused before its metrics are built")
    func hugeRepeated() {
        // 200,000 empty metrics (0x12 0x00 each) in 400 kB: under a 1 MB payload limit.
        let bytes: [UInt8] = (0..<400_000).map { $0.isMultiple(of: 2) ? 0x12 : 0x00 }
        let limits = SparkplugLimits(maxPayloadBytes: 1 << 20, maxMetricsPerPayload: 10_000)
        #expect(reason(bytes, limits: limits) == .tooLarge)
        #expect(reason(bytes) == .tooLarge)  // default limit: 64 kB
    }

    @Test("deep nesting beyond maxMessageDepth is refused")
    func deepNesting() {
        // Metric{template_value{metrics{template_value{...}}}} 40 levels deep.
        var inner: [UInt8] = []
        for _ in 0..<40 {
            let template = [0x12] + varint(inner.count) + inner        // Template.metrics (field 2)
            inner = [0x92, 0x01] + varint(template.count) + template   // Metric.template_value (field 18)
        }
        let bytes = [0x12] + varint(inner.count) + inner
        #expect(reason(bytes) == .malformed)
    }

    @Test("random bytes never crash the decoder or the session")
    func randomBytes() {
        var draws = SplitMix64(seed: 14)
        var session = P.bornSession()
        for i in 0..<5_000 {
            let count = Int(draws.next() % 64)
            let bytes = (0..<count).map { _ in UInt8(truncatingIfNeeded: draws.next()) }
            let type = ["NDATA", "DDATA", "NBIRTH", "DBIRTH", "NDEATH", "DDEATH"][i % 6]
            let device = type.hasPrefix("D") ? "/crusher01" : ""
            _ = session.receive(topic: "spBv1.0/tinmine/\(type)/pilot1\(device)", payload: bytes, receivedAt: P.t0.adding(milliseconds: Int64(i)))
        }
        #expect(session.edgeNodeCount <= 1)
        #expect(session.heldMessageCount <= SparkplugLimits().maxHeldMessagesPerNode)
    }

    private func varint(_ n: Int) -> [UInt8] {
        var out: [UInt8] = []
        var v = UInt64(n)
        while v >= 0x80 { out.append(UInt8(v & 0x7F) | 0x80); v >>= 7 }
        out.append(UInt8(v))
        return out
    }
}

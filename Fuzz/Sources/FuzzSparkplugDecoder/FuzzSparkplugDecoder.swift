import FuzzSupport
import TinsenseCore
import TinsenseSparkplug

/// Bytes → `SparkplugPayloadDecoder` and a `SparkplugSession`. Properties beyond "never crashes":
/// - a payload that decodes re-encodes to bytes that decode and re-encode to the same bytes
///   (bytes, not messages, are compared: a NaN value is not equal to itself);
/// - the session's bounds hold: one edge node here, never more held messages than the limit.
/// The first byte picks the message type, so births, data and deaths all see hostile payloads.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSparkplugDecoder(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let all = Array(UnsafeRawBufferPointer(start: count == 0 ? nil : start, count: count))
    guard let selector = all.first else { return 0 }
    let bytes = Array(all.dropFirst())
    if case .success(let payload) = SparkplugPayloadDecoder.decode(bytes) {
        let encoded = SparkplugPayloadEncoder.encode(payload)
        switch SparkplugPayloadDecoder.decode(encoded, limits: SparkplugLimits(maxPayloadBytes: Int.max)) {
        case .success(let again): fuzzCheck(SparkplugPayloadEncoder.encode(again) == encoded, "re-encoded payload decodes differently")
        case .failure(let error): fuzzCheck(false, "re-encoded payload is refused: \(error)")
        }
    }
    let limits = SparkplugLimits(maxHeldMessagesPerNode: 4)
    var session = SparkplugSession(limits: limits)
    let t0 = Timestamp(millisecondsSinceEpoch: 1_795_750_000_000)
    // A born node and device first, so DATA paths run; then the fuzzed message twice.
    _ = session.receive(topic: "spBv1.0/g/NBIRTH/n", payload: [0x18, 0x00, 0x12, 0x0B, 0x0A, 0x05, 0x62, 0x64, 0x53, 0x65, 0x71, 0x20, 0x04, 0x58, 0x00], receivedAt: t0)
    _ = session.receive(topic: "spBv1.0/g/DBIRTH/n/d", payload: [0x18, 0x01, 0x12, 0x05, 0x0A, 0x01, 0x6D, 0x10, 0x01], receivedAt: t0)
    let types = ["NBIRTH", "NDATA", "NDEATH", "DBIRTH", "DDATA", "DDEATH", "NCMD", "STATE"]
    let type = types[Int(selector) % types.count]
    let topic = type == "STATE" ? "spBv1.0/STATE/h" : type.hasPrefix("D") ? "spBv1.0/g/\(type)/n/d" : "spBv1.0/g/\(type)/n"
    for i in 0..<2 {
        _ = session.receive(topic: topic, payload: bytes, receivedAt: t0.adding(milliseconds: Int64(i) * 1_000))
    }
    _ = session.releaseExpired(now: t0.adding(milliseconds: 60_000))
    fuzzCheck(session.edgeNodeCount <= 1, "one topic gave \(session.edgeNodeCount) edge nodes")
    fuzzCheck(session.heldMessageCount <= limits.maxHeldMessagesPerNode, "held \(session.heldMessageCount) messages")
    return 0
}

/// The entry point SwiftPM links as `main` (see CLibFuzzer.h).
@_cdecl("FuzzSparkplugDecoder_main")
public func fuzzSparkplugDecoderMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv) { data, size in fuzzSparkplugDecoder(data.map(UnsafeRawPointer.init), size) }
}

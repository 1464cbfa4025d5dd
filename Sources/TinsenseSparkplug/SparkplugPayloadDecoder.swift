import SwiftProtobuf
import TinsenseCore

/// The Sparkplug B protobuf message, under a name that says what it is.
package typealias SparkplugPayload = Org_Eclipse_Tahu_Protobuf_Payload
package typealias SparkplugMetric = Org_Eclipse_Tahu_Protobuf_Payload.Metric
package typealias SparkplugDataType = Org_Eclipse_Tahu_Protobuf_DataType

/// Bytes → `SparkplugPayload`, within `SparkplugLimits`. Pure; any bytes give a payload or an
/// error, never a crash (the fuzz target `FuzzSparkplugDecoder` holds it to that).
package enum SparkplugPayloadDecoder {
    package static func decode(_ bytes: [UInt8], limits: SparkplugLimits = SparkplugLimits()) -> Result<SparkplugPayload, DecodeFailure> {
        guard bytes.count <= limits.maxPayloadBytes else {
            return .failure(.init(.tooLarge, "Sparkplug payload of \(bytes.count) bytes exceeds \(limits.maxPayloadBytes)"))
        }
        guard let framed = SparkplugWireScan.metricCount(in: bytes, stoppingAfter: limits.maxMetricsPerPayload) else {
            return .failure(.init(.malformed, "not a Sparkplug B payload (truncated or not protobuf)"))
        }
        guard framed <= limits.maxMetricsPerPayload else {
            return .failure(.init(.tooLarge, "Sparkplug payload with more than \(limits.maxMetricsPerPayload) metrics"))
        }
        var options = BinaryDecodingOptions()
        options.messageDepthLimit = limits.maxMessageDepth
        // Unknown fields would be kept in memory for re-encoding; a reader has no use for them.
        options.discardUnknownFields = true
        let payload: SparkplugPayload
        do {
            payload = try SparkplugPayload(serializedBytes: bytes, extensions: nil, partial: true, options: options)
        } catch {
            return .failure(.init(.malformed, "not a Sparkplug B payload (\(error))"))
        }
        return .success(payload)
    }
}

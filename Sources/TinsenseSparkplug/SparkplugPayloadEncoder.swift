import SwiftProtobuf

/// `SparkplugPayload` → bytes, for the simulator's edge node and the tests, so neither needs
/// SwiftProtobuf itself.
package enum SparkplugPayloadEncoder {
    package static func encode(_ payload: SparkplugPayload) -> [UInt8] {
        // Tahu's messages have no required fields, so serializing a built message cannot fail.
        (try? payload.serializedBytes()) ?? []
    }
}

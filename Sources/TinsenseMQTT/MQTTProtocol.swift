import CMosquitto

/// The MQTT protocol version a client speaks (`mqtt.protocol`). The subscriber and the alert
/// republisher take it from the same `BrokerConnection`, so they never speak different versions.
package enum MQTTProtocol: Sendable, Equatable, CustomStringConvertible {
    /// MQTT 3.1.1: the session is kept by `clean_session = false` for as long as the broker's
    /// `persistent_client_expiration` allows (mosquitto: forever by default).
    case v311
    /// MQTT 5: the session lasts `session_expiry_s` after the connection ends (Session Expiry
    /// Interval in CONNECT); CONNACK and DISCONNECT carry reason codes (`V5ReasonCode`).
    case v5

    /// libmosquitto's `MOSQ_OPT_PROTOCOL_VERSION` value.
    var libraryValue: Int32 {
        switch self {
        case .v311: MQTT_PROTOCOL_V311
        case .v5: MQTT_PROTOCOL_V5
        }
    }

    package var description: String {
        switch self {
        case .v311: "3.1.1"
        case .v5: "5"
        }
    }
}

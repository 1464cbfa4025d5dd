import CMosquitto

/// An MQTT 5 reason code from a CONNACK or a broker's DISCONNECT, with the error class it
/// falls into (DESIGN.md: every error is transient or belongs to one cause an operator must fix).
///
/// A *refusal* is lasting: retrying the same CONNECT will be refused again until someone fixes
/// the credentials, the ACL, the client id or the broker, so refusals are counted towards
/// `mqtt.refusals_before_exit`. A *transient* answer (server busy, connection rate exceeded,
/// shutting down) is retried with the reconnect backoff and never ends the daemon.
package struct V5ReasonCode: Sendable, Equatable, CustomStringConvertible {
    package enum Class: Sendable, Equatable {
        case success
        case refusal
        case transient
    }

    package let code: Int32

    package init(_ code: Int32) { self.code = code }

    /// The codes a broker sends when it is overloaded, going away or pointing elsewhere: the
    /// same CONNECT may well be accepted a little later.
    static let transientCodes: Set<Int32> = [
        Int32(MQTT_RC_SERVER_UNAVAILABLE.rawValue),       // 0x88
        Int32(MQTT_RC_SERVER_BUSY.rawValue),              // 0x89
        Int32(MQTT_RC_SERVER_SHUTTING_DOWN.rawValue),     // 0x8B
        Int32(MQTT_RC_KEEP_ALIVE_TIMEOUT.rawValue),       // 0x8D
        Int32(MQTT_RC_SESSION_TAKEN_OVER.rawValue),       // 0x8E
        Int32(MQTT_RC_MESSAGE_RATE_TOO_HIGH.rawValue),    // 0x96
        Int32(MQTT_RC_QUOTA_EXCEEDED.rawValue),           // 0x97
        Int32(MQTT_RC_ADMINISTRATIVE_ACTION.rawValue),    // 0x98
        Int32(MQTT_RC_USE_ANOTHER_SERVER.rawValue),       // 0x9C
        Int32(MQTT_RC_SERVER_MOVED.rawValue),             // 0x9D
        Int32(MQTT_RC_CONNECTION_RATE_EXCEEDED.rawValue), // 0x9F
        Int32(MQTT_RC_MAXIMUM_CONNECT_TIME.rawValue),     // 0xA0
    ]

    /// Below 0x80 is success (0x00, or 0x04 "disconnect with will"); from 0x80 on, an error:
    /// transient if listed above, otherwise a refusal. Among the refusals: 0x84 unsupported
    /// protocol version, 0x85 client id not valid, 0x86 bad user name or password, 0x87 not
    /// authorised, 0x8A banned, 0x8C bad authentication method, 0x9B QoS not supported (a will
    /// QoS above the listener's `max_qos`).
    package var errorClass: Class {
        if code < 0x80 { return .success }
        return V5ReasonCode.transientCodes.contains(code) ? .transient : .refusal
    }

    /// libmosquitto's name for the code ("Bad User Name or Password", "Server busy", ...).
    package var name: String {
        guard let p = mosquitto_reason_string(code) else { return "unknown reason" }
        return String(cString: p)
    }

    package var description: String {
        "0x" + String(code, radix: 16, uppercase: true) + " " + name
    }
}

import CMosquitto

/// Everything a client needs to reach the broker and be let in: the URL, TLS files and the
/// credentials. The subscriber and the alert republisher take the same value, so they can
/// never disagree on how the daemon authenticates.
///
/// The password is held only here and handed to libmosquitto; `description` leaves it out,
/// so logging a connection never prints it.
package struct BrokerConnection: Sendable, CustomStringConvertible {
    package var broker: BrokerURL
    package var tls: TLSFiles
    package var username: String?
    package var password: String?
    /// MQTT 3.1.1 or 5 (`mqtt.protocol`); TLS and credentials work the same under both.
    package var mqttProtocol: MQTTProtocol

    package init(broker: BrokerURL, tls: TLSFiles = TLSFiles(), username: String? = nil, password: String? = nil, mqttProtocol: MQTTProtocol = .v311) {
        self.broker = broker
        self.tls = tls
        self.username = username
        self.password = password
        self.mqttProtocol = mqttProtocol
    }

    package var description: String {
        var text = broker.description
        if mqttProtocol == .v5 { text += " (MQTT 5)" }
        if let username { text += " as \(username)" + (password == nil ? "" : " (password set)") }
        return text
    }

    /// Sets the protocol version, credentials and, for `mqtts://`, TLS on a fresh libmosquitto
    /// handle (the version must be set before the first connect).
    func configure(_ m: OpaquePointer) throws(MQTTError) {
        try MosquittoLibrary.check(mosquitto_int_option(m, MOSQ_OPT_PROTOCOL_VERSION, mqttProtocol.libraryValue), "MOSQ_OPT_PROTOCOL_VERSION")
        if let username {
            try MosquittoLibrary.check(mosquitto_username_pw_set(m, username, password), "mosquitto_username_pw_set")
        }
        guard broker.usesTLS else { return }
        let caDirectory = tls.caFile == nil ? TLSFiles.systemCADirectory : nil
        try MosquittoLibrary.check(
            mosquitto_tls_set(m, tls.caFile, caDirectory, tls.certificateFile, tls.keyFile, nil), "mosquitto_tls_set"
        )
        // SSL_VERIFY_PEER (1): the handshake fails unless the broker's chain verifies; the TLS
        // version stays libmosquitto's default (1.2 or later).
        try MosquittoLibrary.check(mosquitto_tls_opts_set(m, 1, nil, nil), "mosquitto_tls_opts_set")
        // Host name verification stays on: the certificate must name `broker.host`.
        try MosquittoLibrary.check(mosquitto_tls_insecure_set(m, false), "mosquitto_tls_insecure_set")
    }
}

/// The files of an `mqtts://` connection, all PEM.
package struct TLSFiles: Sendable, Equatable {
    /// The CA certificate(s) the broker's certificate must chain to; nil: the system's trust
    /// store (`systemCADirectory`), for a broker with a publicly trusted certificate.
    package var caFile: String?
    /// A client certificate and its private key, for brokers that require one; both or neither.
    package var certificateFile: String?
    package var keyFile: String?

    package init(caFile: String? = nil, certificateFile: String? = nil, keyFile: String? = nil) {
        self.caFile = caFile
        self.certificateFile = certificateFile
        self.keyFile = keyFile
    }

    /// Debian's hashed CA directory (package ca-certificates).
    package static let systemCADirectory = "/etc/ssl/certs"
}

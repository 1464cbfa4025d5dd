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

    package init(broker: BrokerURL, tls: TLSFiles = TLSFiles(), username: String? = nil, password: String? = nil) {
        self.broker = broker
        self.tls = tls
        self.username = username
        self.password = password
    }

    package var description: String {
        var text = broker.description
        if let username { text += " as \(username)" + (password == nil ? "" : " (password set)") }
        return text
    }

    /// Sets credentials and, for `mqtts://`, TLS on a fresh libmosquitto handle.
    func configure(_ m: OpaquePointer) throws(MQTTError) {
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

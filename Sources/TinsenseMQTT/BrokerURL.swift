/// Where the broker is: `mqtt://host:port` (also `tcp://`, or bare `host:port`; port 1883
/// when omitted), or `mqtts://host:port` for MQTT over TLS (port 8883 when omitted).
package struct BrokerURL: Sendable, Equatable, CustomStringConvertible {
    package var host: String
    package var port: Int
    /// `mqtts://`: the connection is TLS, and the broker's certificate is verified (chain and
    /// host name) before anything is sent.
    package var usesTLS: Bool

    package init(host: String, port: Int? = nil, usesTLS: Bool = false) {
        self.host = host
        self.usesTLS = usesTLS
        self.port = port ?? (usesTLS ? 8883 : 1883)
    }

    package init(parsing text: String) throws(MQTTError) {
        var rest = Substring(text)
        var tls = false
        for scheme in ["mqtt://", "tcp://", "mqtts://"] where rest.hasPrefix(scheme) {
            rest = rest.dropFirst(scheme.count)
            tls = scheme == "mqtts://"
        }
        if rest.contains("://") { throw MQTTError.badURL(text, "only mqtt://, mqtts:// (or tcp://) are supported") }
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        let parts = rest.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count <= 2, let h = parts.first, !h.isEmpty else { throw MQTTError.badURL(text, "expected mqtt://host[:port] or mqtts://host[:port]") }
        var port: Int?
        if parts.count == 2 {
            guard let p = Int(parts[1]), (1...65_535).contains(p) else { throw MQTTError.badURL(text, "port must be 1–65535") }
            port = p
        }
        self.init(host: String(h), port: port, usesTLS: tls)
    }

    package var description: String { "\(usesTLS ? "mqtts" : "mqtt")://\(host):\(port)" }
}

/// Errors from the MQTT layer, with libmosquitto's own words where it gave them.
package enum MQTTError: Error, CustomStringConvertible, Sendable {
    case badURL(String, String)
    case library(String, Int32)
    case timeout(String)
    case refused(String)
    /// The TLS handshake failed: the broker's certificate did not verify (unknown CA, wrong
    /// host name, expired) or the broker refused ours. The text is OpenSSL's and libmosquitto's.
    case tls(String)

    package var description: String {
        switch self {
        case .badURL(let url, let why): "broker URL \"\(url)\": \(why)"
        case .library(let call, let rc): "\(call) failed: \(MosquittoLibrary.errorString(rc)) (rc \(rc))"
        case .timeout(let what): "timed out \(what)"
        case .refused(let why): "broker refused the connection: \(why)"
        case .tls(let why): "TLS handshake with the broker failed: \(why)"
        }
    }
}

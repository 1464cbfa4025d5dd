/// Where the broker is: `mqtt://host:port` (also `tcp://`, or bare `host:port`; port 1883
/// when omitted).
package struct BrokerURL: Sendable, Equatable, CustomStringConvertible {
    package var host: String
    package var port: Int

    package init(host: String, port: Int = 1883) {
        self.host = host
        self.port = port
    }

    package init(parsing text: String) throws(MQTTError) {
        var rest = Substring(text)
        for scheme in ["mqtt://", "tcp://"] where rest.hasPrefix(scheme) {
            rest = rest.dropFirst(scheme.count)
        }
        if rest.contains("://") { throw MQTTError.badURL(text, "only mqtt:// (or tcp://) is supported") }
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        let parts = rest.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count <= 2, let h = parts.first, !h.isEmpty else { throw MQTTError.badURL(text, "expected mqtt://host[:port]") }
        host = String(h)
        if parts.count == 2 {
            guard let p = Int(parts[1]), (1...65_535).contains(p) else { throw MQTTError.badURL(text, "port must be 1–65535") }
            port = p
        } else {
            port = 1883
        }
    }

    package var description: String { "mqtt://\(host):\(port)" }
}

/// Errors from the MQTT layer, with libmosquitto's own words where it gave them.
package enum MQTTError: Error, CustomStringConvertible, Sendable {
    case badURL(String, String)
    case library(String, Int32)
    case timeout(String)
    case refused(String)

    package var description: String {
        switch self {
        case .badURL(let url, let why): "broker URL \"\(url)\": \(why)"
        case .library(let call, let rc): "\(call) failed: \(MosquittoLibrary.errorString(rc)) (rc \(rc))"
        case .timeout(let what): "timed out \(what)"
        case .refused(let why): "broker refused the connection: \(why)"
        }
    }
}

extension Config {
    /// `[metrics]`: where the daemon serves Prometheus text metrics (`/metrics`).
    package struct Metrics: Sendable {
        /// On by default, on loopback only: a scraper on the same host (or a reverse proxy)
        /// reaches it, nothing else does.
        package var enabled = true
        package var listen = ListenAddress(host: "127.0.0.1", port: 9469)
        package init() {}
    }
}

/// A numeric `host:port` to listen on: `127.0.0.1:9469`, `0.0.0.0:9469`, `[::1]:9469`.
/// Names are refused, so the address bound is the address written.
package struct ListenAddress: Sendable, Hashable, CustomStringConvertible {
    package var host: String
    package var port: Int

    package init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `text`, or returns why it is not a listen address.
    package static func parse(_ text: String) -> Result<ListenAddress, ListenAddressProblem> {
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                return .failure(ListenAddressProblem(text: text))
            }
            host = text[text.index(after: text.startIndex)..<close]
            portText = text[text.index(close, offsetBy: 2)...]
            guard !host.isEmpty, host.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }), host.contains(":") else {
                return .failure(ListenAddressProblem(text: text))
            }
        } else {
            let parts = text.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2 else { return .failure(ListenAddressProblem(text: text)) }
            host = parts[0]
            portText = parts[1]
            let octets = host.split(separator: ".", omittingEmptySubsequences: false)
            guard octets.count == 4, octets.allSatisfy({ o in o.count <= 3 && UInt8(o) != nil }) else {
                return .failure(ListenAddressProblem(text: text))
            }
        }
        guard portText.allSatisfy(\.isASCII), let port = Int(portText), (1...65_535).contains(port) else {
            return .failure(ListenAddressProblem(text: text))
        }
        return .success(ListenAddress(host: String(host), port: port))
    }

    package var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

package struct ListenAddressProblem: Error, Sendable, CustomStringConvertible {
    let text: String
    package var description: String {
        "\"\(text)\" is not a numeric listen address (IPv4 \"127.0.0.1:9469\" or IPv6 \"[::1]:9469\", port 1–65535)"
    }
}

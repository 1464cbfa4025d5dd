import TOMLKit

extension TableReader {
    /// `[mqtt]`'s `protocol`, `session_expiry_s` and `share_group` (docs/SCALING.md).
    func readProtocolAndSharing(_ s: inout Section, into c: inout Config) {
        if let v = s.value("protocol") {
            if v.int == 5 || v.string == "5" {
                c.mqtt.protocolVersion = .v5
            } else if v.string == "3.1.1" {
                c.mqtt.protocolVersion = .v311
            } else {
                let found = v.int.map(String.init) ?? v.string.map { "\"\($0)\"" } ?? "a \(v.type)"
                issue("mqtt.protocol", "\(found) is not a supported MQTT version: use \"3.1.1\" (the default) or 5")
            }
        }
        let expirySet = s.table["session_expiry_s"] != nil
        // MQTT's Session Expiry Interval is a four-byte integer; 0xFFFFFFFF means "never".
        c.mqtt.sessionExpirySeconds = s.int("session_expiry_s", default: c.mqtt.sessionExpirySeconds, min: 0, max: Int(UInt32.max))
        if expirySet && c.mqtt.protocolVersion != .v5 {
            issue("mqtt.session_expiry_s", "applies to protocol = 5 only; under 3.1.1 the broker keeps a clean_session = false session as its persistent_client_expiration says")
        } else if expirySet && c.mqtt.cleanSession {
            issue("mqtt.session_expiry_s", "is set but clean_session = true asks for a session that ends with the connection; set clean_session = false to keep a session")
        }
        let group = s.string("share_group", default: "")
        // "" = not shared, like the other optional string keys.
        if !group.isEmpty {
            if let problem = BrokerAddress.shareGroupProblem(group) {
                issue("mqtt.share_group", problem)
            } else {
                c.mqtt.shareGroup = group
                for (i, filter) in c.mqtt.subscribe.enumerated() where filter.hasPrefix("$share/") {
                    issue("mqtt.subscribe[\(i)]", "\"\(filter)\" is already shared; with share_group set, list plain filters (share_group adds $share/\(group)/)")
                }
            }
        }
    }
}

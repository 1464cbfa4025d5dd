/// Why a subscriber can no longer keep the config's promise, so the daemon must stop (exit
/// non-zero, restarted by systemd) instead of running deaf or with a weaker guarantee.
package enum SubscriberFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// The broker refused the filter (SUBACK return code 0x80): nothing on it is delivered.
    case subscriptionRefused(filter: String)
    /// The broker granted a lower QoS than asked: at QoS 0 the broker keeps nothing for us
    /// while we are away, which voids the durability guarantee of `mqtt.qos = 1`.
    case subscriptionDowngraded(filter: String, requested: Int, granted: Int)
    /// libmosquitto's network loop ended on an error it does not retry (it returns from
    /// `mosquitto_loop_forever` after these, and no reconnect follows).
    case loopEnded(reason: String)
    /// The broker refused us `attempts` times in a row (a TLS handshake that failed, a CONNACK
    /// refusal such as a wrong password): retrying will not help until someone fixes the
    /// credentials, the certificates or the broker, so the failure should be visible.
    case refused(reason: String, attempts: Int)

    package var description: String {
        switch self {
        case .subscriptionRefused(let filter):
            "the broker refused the subscription to \"\(filter)\" (SUBACK 0x80); nothing on it would be received"
        case .subscriptionDowngraded(let filter, let requested, let granted):
            "the broker granted QoS \(granted) for \"\(filter)\" where QoS \(requested) was asked; messages could be lost while the daemon is away"
        case .loopEnded(let reason):
            "the MQTT network loop ended and will not reconnect: \(reason)"
        case .refused(let reason, let attempts):
            "the broker refused the connection \(attempts) times in a row (mqtt.refusals_before_exit): \(reason)"
        }
    }
}

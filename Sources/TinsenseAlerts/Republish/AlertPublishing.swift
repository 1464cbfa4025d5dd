/// A connection the alert republisher sends copies of transitions over (MQTT in the daemon).
///
/// Why a protocol and not `TinsenseMQTT.MQTTPublisher` itself: the alerts module stays free
/// of libmosquitto, so the engine, the log and the viewer build and test without a broker
/// library, and the daemon — which already owns every MQTT connection — lends its publisher
/// by declaring the conformance (`MQTTPublisher` has exactly these methods).
package protocol AlertPublishing: AnyObject {
    /// Sends one payload; throws when the connection is lost (the republisher reconnects).
    func publish(topic: String, payload: String, qos: Int, retain: Bool) throws
    /// Waits until what was published is acknowledged, or `timeout` passes.
    func flush(timeout: Duration) throws
    func disconnect()
}

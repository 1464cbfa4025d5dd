#if canImport(Glibc)
import Glibc
#endif
import CMosquitto
import Foundation
import Logging

/// MQTT 5 (`mqtt.protocol = 5`): the same subscriber and the same durability hook, with a
/// different connection life cycle.
///
/// Under MQTT 5, libmosquitto 2.0.11's `loop_start` thread does not survive the answers a
/// broker gives most often when it turns us away: a CONNACK with a reason code from 0x80 up
/// (bad password, not authorised, server busy) makes `handle__connack` return
/// `MOSQ_ERR_PROTOCOL`, after which `mosquitto_loop_forever` returns; and a broker's
/// DISCONNECT (0x8B shutting down, 0x8E session taken over) marks the handle disconnected, so
/// the loop ends instead of reconnecting. So under MQTT 5 the subscriber owns its reconnects:
/// each network thread serves one connection, its disconnect callback marks the handle
/// disconnected (the thread then ends rather than reconnecting on its own), and a supervisor
/// thread (`superviseVersion5`) joins it, waits the reconnect backoff and connects again with
/// `mosquitto_connect_bind_v5` and the Session Expiry Interval, so every CONNECT carries it.
extension MQTTSubscriber {
    func startVersion5(_ m: OpaquePointer) throws(MQTTError) {
        if options.sessionExpirySeconds > 0 {
            try MosquittoLibrary.check(
                mosquitto_property_add_int32(&connectProperties, Int32(MQTT_PROP_SESSION_EXPIRY_INTERVAL.rawValue), options.sessionExpirySeconds),
                "mosquitto_property_add_int32(session expiry interval)"
            )
        }
        mosquitto_connect_v5_callback_set(m) { _, userdata, rc, _, _ in
            MQTTSubscriber.from(userdata).didConnectVersion5(rc)
        }
        mosquitto_disconnect_v5_callback_set(m) { mosq, userdata, rc, _ in
            MQTTSubscriber.from(userdata).didDisconnectVersion5(mosq, rc)
        }
        mosquitto_subscribe_v5_callback_set(m) { _, userdata, mid, count, granted, _ in
            MQTTSubscriber.from(userdata).didSubscribe(mid: mid, granted: Array(UnsafeBufferPointer(start: granted, count: Int(count))))
        }
        // Topic and payload exactly as under 3.1.1; the sink (WAL append) runs before this
        // returns, so the PUBACK still goes out only after the message is durable.
        mosquitto_message_v5_callback_set(m) { mosq, userdata, message, _ in
            guard let message else { return }
            MQTTSubscriber.from(userdata).didReceive(message.pointee, mosq)
        }
        installLogCallback(m)
        let t = Thread { [self] in superviseVersion5() }
        t.name = "tinsense-mqtt5-connect"
        t.start()
        logStarted()
    }

    private func didConnectVersion5(_ rc: Int32) {
        let reason = V5ReasonCode(rc)
        switch reason.errorClass {
        case .success:
            connackRefused.store(false, ordering: .relaxed)
            didConnectSuccessfully()
        case .refusal:
            connackRefused.store(true, ordering: .relaxed)
            noteRefusal("the broker refused the connection (CONNACK \(reason))")
        case .transient:
            connackRefused.store(true, ordering: .relaxed)
            logger.warning("the broker turned the connection away for now; retrying with backoff", metadata: [
                "broker": "\(options.broker)", "connack": "\(reason)",
            ])
        }
    }

    /// On libmosquitto's network thread. Reason codes from 0x80 up are the broker's DISCONNECT;
    /// smaller values are libmosquitto's own error numbers (connection lost, TLS, ...).
    private func didDisconnectVersion5(_ mosq: OpaquePointer?, _ rc: Int32) {
        let cause = errno
        let hadConnack = connectedFlag.exchange(false, ordering: .relaxed)
        let answeredByConnack = connackRefused.exchange(false, ordering: .relaxed)
        if sinkCoalesces { sink.inputDrained() }
        // Ends this network thread (its loop sees "disconnected" and returns instead of
        // reconnecting without our session expiry); the supervisor reconnects.
        if let mosq { mosquitto_disconnect(mosq) }
        defer { restartWakeup.signal() }
        if stopping.load(ordering: .relaxed) || answeredByConnack { return }
        if rc >= 0x80 {
            let reason = V5ReasonCode(rc)
            if reason.errorClass == .refusal {
                noteRefusal("the broker disconnected us (DISCONNECT \(reason))")
            } else if rc == Int32(MQTT_RC_SESSION_TAKEN_OVER.rawValue) {
                // Almost always a second client with our id: two members of a share group
                // given the same client_id take the session from each other in turn.
                logger.error("another client connected with our client id and took the session; reconnecting with backoff", metadata: [
                    "client_id": "\(options.clientID)", "reason": "\(reason)",
                    "hint": "every daemon needs its own mqtt.client_id, also in a share group",
                ])
            } else {
                logger.warning("the broker disconnected us; reconnecting with backoff", metadata: [
                    "reason": "\(reason)", "backoff": "\(options.reconnectMinSeconds)s…\(options.reconnectMaxSeconds)s",
                ])
            }
            return
        }
        if rc == MOSQ_ERR_SUCCESS.rawValue { return }
        if options.broker.usesTLS && (rc == MOSQ_ERR_TLS.rawValue || (rc == MOSQ_ERR_ERRNO.rawValue && cause == EPROTO)) {
            noteTLSFailure(rc == MOSQ_ERR_TLS.rawValue ? MosquittoLibrary.errorString(rc)
                : "the broker ended the TLS session (\(String(cString: strerror(cause)))): it may require a client certificate "
                    + "(mqtt.tls_cert_file, tls_key_file) or refuse the one given")
            return
        }
        if !hadConnack && !options.broker.usesTLS && rc == MOSQ_ERR_CONN_LOST.rawValue {
            noteRefusal("the broker closed the connection before answering the CONNECT (\(MosquittoLibrary.errorString(rc)))")
            return
        }
        if MQTTSubscriber.endsLoop(rc) && rc != MOSQ_ERR_TLS.rawValue {
            fail(.loopEnded(reason: MosquittoLibrary.errorString(rc)))
            return
        }
        logger.warning("disconnected from broker; reconnecting with backoff", metadata: [
            "reason": "\(MosquittoLibrary.errorString(rc))",
            "backoff": "\(options.reconnectMinSeconds)s…\(options.reconnectMaxSeconds)s",
        ])
    }

    /// Connects (with the CONNECT properties), runs one network thread per connection, and
    /// after each disconnect joins it, waits the backoff (`reconnect_min_s` doubling up to
    /// `reconnect_max_s`, reset by a successful CONNACK) and connects again. Runs until `stop`
    /// or until the refusal limit is reached.
    private func superviseVersion5() {
        var failuresInARow = 0
        while true {
            let connectsBefore = connects
            let rc: Int32? = lifecycle.withLock {
                guard !stopping.load(ordering: .relaxed), let m = handle else { return nil }
                let rc = mosquitto_connect_bind_v5(m, options.broker.host, Int32(options.broker.port), Int32(options.keepaliveSeconds), nil, connectProperties)
                if rc == MOSQ_ERR_SUCCESS.rawValue {
                    let lrc = mosquitto_loop_start(m)
                    if lrc != MOSQ_ERR_SUCCESS.rawValue { return lrc }
                }
                return rc
            }
            guard let rc else { return }
            if rc == MOSQ_ERR_SUCCESS.rawValue {
                restartWakeup.wait()
                let tls: String?? = lifecycle.withLock {
                    guard !stopping.load(ordering: .relaxed), let m = handle else { return .none }
                    mosquitto_disconnect(m)
                    mosquitto_loop_stop(m, false)
                    return .some(tlsFailure.withLock { f in defer { f = nil }; return f })
                }
                guard case .some(let tlsReason) = tls else { return }
                while restartWakeup.wait(timeout: .now()) == .success {}
                if stopping.load(ordering: .relaxed) { return }
                if let tlsReason {
                    guard noteRefusal("TLS handshake failed: \(tlsReason)") else { return }
                }
                if connects > connectsBefore { failuresInARow = 0 }
            } else {
                logger.warning("broker not reachable yet; will keep retrying", metadata: [
                    "broker": "\(options.broker)", "error": "\(MosquittoLibrary.errorString(rc))",
                ])
            }
            let limit = options.refusalsBeforeFailure
            if limit > 0 && refusalsInARow.load(ordering: .relaxed) >= limit { return }
            failuresInARow += 1
            let delay = min(Double(options.reconnectMinSeconds) * pow(2, Double(min(failuresInARow - 1, 20))), Double(options.reconnectMaxSeconds))
            if restartWakeup.wait(timeout: .now() + delay) == .success, stopping.load(ordering: .relaxed) { return }
        }
    }
}

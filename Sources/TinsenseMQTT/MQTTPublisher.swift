#if canImport(Glibc)
import Glibc
#endif
import CMosquitto
import Logging
import Synchronization
import TinsenseSystem

/// A blocking MQTT publisher for the simulator, alert republishing and tests.
///
/// QoS 1 publishes are counted until the broker acknowledges them; `publish` waits while
/// `maxUnacknowledged` are outstanding, so a fast producer cannot grow libmosquitto's
/// internal queue without bound, and `flush` waits for the last acknowledgement.
package final class MQTTPublisher: @unchecked Sendable {
    // @unchecked: `handle` is set in init and cleared in `disconnect`; everything the network
    // thread touches is in `state` (a Mutex) or immutable.
    private var handle: OpaquePointer?
    private var retained: Unmanaged<MQTTPublisher>?
    package let connection: BrokerConnection
    package var broker: BrokerURL { connection.broker }
    package let clientID: String
    package let maxUnacknowledged: Int
    let logger: Logger

    struct State {
        var connected = false
        var connackError: Int32?
        /// MQTT 5: the broker sent DISCONNECT (0x8B shutting down, 0x8E taken over, ...), after
        /// which libmosquitto 2.0.11's network thread ends instead of reconnecting.
        var endedByBroker: Int32?
        /// libmosquitto's log lines about a failed TLS handshake (its network thread ends then).
        var tlsFailure: String?
        var outstanding = Set<Int32>()
        /// PUBACKs that arrived before `publish` recorded their message id.
        var earlyAcks = Set<Int32>()
        var acknowledged = 0
        /// CONNACKs accepted so far: more than one means libmosquitto reconnected on its own.
        var connections = 0
    }

    private let state = Guarded(State())

    package convenience init(broker: BrokerURL, clientID: String, logger: Logger, maxUnacknowledged: Int = 1000, username: String? = nil, password: String? = nil) throws {
        try self.init(
            connection: BrokerConnection(broker: broker, username: username, password: password),
            clientID: clientID, logger: logger, maxUnacknowledged: maxUnacknowledged
        )
    }

    /// A publisher with the daemon's connection settings (TLS, user name, password).
    package init(connection: BrokerConnection, clientID: String, logger: Logger, maxUnacknowledged: Int = 1000) throws {
        self.connection = connection
        self.clientID = clientID
        self.logger = logger
        self.maxUnacknowledged = maxUnacknowledged
        MosquittoLibrary.ensureInitialised()
        let me = Unmanaged.passRetained(self)
        guard let m = mosquitto_new(clientID, true, me.toOpaque()) else {
            me.release()
            throw MQTTError.library("mosquitto_new", MOSQ_ERR_NOMEM.rawValue)
        }
        handle = m
        retained = me
        do {
            try MosquittoLibrary.check(mosquitto_int_option(m, MOSQ_OPT_TCP_NODELAY, 1), "MOSQ_OPT_TCP_NODELAY")
            // libmosquitto's own in-flight window; our `maxUnacknowledged` bounds its queue.
            try MosquittoLibrary.check(mosquitto_int_option(m, MOSQ_OPT_SEND_MAXIMUM, 100), "MOSQ_OPT_SEND_MAXIMUM")
            try connection.configure(m)
        } catch {
            // Unreadable TLS files and the like: free the handle now, as the republisher retries.
            disconnect()
            throw error
        }
        mosquitto_reconnect_delay_set(m, 1, 10, true)
        if MosquittoLibrary.wantsLogCallback(usesTLS: connection.broker.usesTLS, logger: logger) {
            mosquitto_log_callback_set(m) { _, userdata, level, text in
                guard let text else { return }
                let me = Unmanaged<MQTTPublisher>.fromOpaque(userdata!).takeUnretainedValue()
                let line = String(cString: text)
                me.logger.debug("libmosquitto: \(line)")
                if level == MOSQ_LOG_ERR && MosquittoLibrary.isTLSFailure(line) {
                    me.state.withLock { s in s.tlsFailure = s.tlsFailure.map { "\($0); \(line)" } ?? line }
                }
            }
        }
        mosquitto_connect_callback_set(m) { _, userdata, rc in
            let me = Unmanaged<MQTTPublisher>.fromOpaque(userdata!).takeUnretainedValue()
            me.state.withLock { s in
                if rc == 0 { s.connected = true; s.connackError = nil; s.connections += 1 } else { s.connackError = rc }
            }
        }
        mosquitto_disconnect_callback_set(m) { _, userdata, rc in
            let me = Unmanaged<MQTTPublisher>.fromOpaque(userdata!).takeUnretainedValue()
            let v5 = me.connection.mqttProtocol == .v5
            me.state.withLock { s in
                s.connected = false
                if v5 && rc >= 0x80 { s.endedByBroker = rc }
            }
        }
        mosquitto_publish_callback_set(m) { _, userdata, mid in
            let me = Unmanaged<MQTTPublisher>.fromOpaque(userdata!).takeUnretainedValue()
            me.state.withLock { s in
                if s.outstanding.remove(mid) == nil { s.earlyAcks.insert(mid) }
                s.acknowledged += 1
            }
        }
    }

    deinit {
        if let m = handle {
            mosquitto_loop_stop(m, true)
            mosquitto_destroy(m)
        }
    }

    /// Connects and waits for the CONNACK.
    package func connect(timeout: Duration) throws {
        guard let m = handle else { throw MQTTError.library("connect after disconnect", MOSQ_ERR_INVAL.rawValue) }
        // A connect that fails must free what it started: the handle keeps `self` retained until
        // `disconnect`, and libmosquitto's network thread would go on reconnecting (or, after a
        // TLS failure, end unjoined). The alert republisher retries with a new publisher each
        // time, so before this every failed attempt leaked a thread and a socket (found by
        // ThreadSanitizer's thread-leak report on `replay` against a broker with the wrong CA).
        do {
            try MosquittoLibrary.check(mosquitto_loop_start(m), "mosquitto_loop_start")
            _ = mosquitto_connect_async(m, broker.host, Int32(broker.port), 30)
            try wait(timeout: timeout, what: "connecting to \(broker)") { s in
                if let rc = s.connackError { throw MQTTError.refused(connackText(rc)) }
                if let why = s.tlsFailure, !s.connected { throw MQTTError.tls(why) }
                return s.connected
            }
        } catch {
            disconnect()
            throw error
        }
    }

    /// Publishes one message. At QoS 1 it blocks while `maxUnacknowledged` are outstanding.
    package func publish(topic: String, payload: [UInt8], qos: Int, retain: Bool) throws {
        guard let m = handle else { throw MQTTError.library("publish after disconnect", MOSQ_ERR_INVAL.rawValue) }
        if qos > 0 {
            try wait(timeout: .seconds(120), what: "waiting for the broker to acknowledge publishes") { s in
                s.outstanding.count < maxUnacknowledged
            }
        }
        if let rc = state.withLock({ $0.endedByBroker }) {
            throw MQTTError.refused("the broker ended the MQTT 5 session (DISCONNECT \(V5ReasonCode(rc)))")
        }
        var mid: Int32 = 0
        let rc = payload.withUnsafeBytes { p in
            mosquitto_publish(m, &mid, topic, Int32(p.count), p.baseAddress, Int32(qos), retain)
        }
        try MosquittoLibrary.check(rc, "mosquitto_publish")
        if qos > 0 {
            // The PUBACK may already have come back on the network thread.
            state.withLock { s in
                if s.earlyAcks.remove(mid) == nil { s.outstanding.insert(mid) }
            }
        }
    }

    package func publish(topic: String, payload: String, qos: Int, retain: Bool) throws {
        try publish(topic: topic, payload: Array(payload.utf8), qos: qos, retain: retain)
    }

    /// A CONNACK refusal in the words of the protocol in use (MQTT 5 reason codes are not 3.1.1's).
    private func connackText(_ rc: Int32) -> String {
        connection.mqttProtocol == .v5 ? "CONNACK \(V5ReasonCode(rc))" : MosquittoLibrary.connackString(rc)
    }

    /// Waits until every QoS 1 publish so far has been acknowledged.
    package func flush(timeout: Duration) throws {
        try wait(timeout: timeout, what: "flushing publishes") { $0.outstanding.isEmpty }
    }

    /// QoS 1 publishes the broker has acknowledged so far.
    package var acknowledged: Int { state.withLock { $0.acknowledged } }

    package var isConnected: Bool { state.withLock { $0.connected } }

    /// Sessions the broker accepted on this publisher (libmosquitto reconnects on its own);
    /// a Sparkplug edge node must be born again on each.
    package var connectionCount: Int { state.withLock { $0.connections } }

    /// Registers the last will the broker publishes if this client goes away without a
    /// DISCONNECT (a Sparkplug edge node's NDEATH). Call before `connect`.
    package func setWill(topic: String, payload: [UInt8], qos: Int, retain: Bool) throws {
        guard let m = handle else { throw MQTTError.library("setWill after disconnect", MOSQ_ERR_INVAL.rawValue) }
        let rc = payload.withUnsafeBytes { p in
            mosquitto_will_set(m, topic, Int32(p.count), p.baseAddress, Int32(qos), retain)
        }
        try MosquittoLibrary.check(rc, "mosquitto_will_set")
    }

    /// Sends DISCONNECT and stops the network thread.
    package func disconnect() {
        guard let m = handle else { return }
        mosquitto_disconnect(m)
        mosquitto_loop_stop(m, false)
        mosquitto_destroy(m)
        handle = nil
        retained?.release()
        retained = nil
    }

    private func wait(timeout: Duration, what: String, until done: (State) throws -> Bool) throws {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var pause: UInt32 = 200
        while true {
            let finished = try state.withLock { try done($0) }
            if finished { return }
            if clock.now >= deadline { throw MQTTError.timeout(what) }
            usleep(pause)
            pause = min(pause * 2, 20_000)
        }
    }
}
